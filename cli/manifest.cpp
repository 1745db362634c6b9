#include "manifest.hpp"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace socklab::cli {

const Chapter& Manifest::find(const std::string& name) const {
  for (const Chapter& chapter : chapters) {
    const bool by_number = !name.empty() && name.size() <= 2 &&
                           name.find_first_not_of("0123456789") == std::string::npos &&
                           std::stoi(name) == std::stoi(chapter.number());
    if (name == chapter.slug || name == chapter.program || by_number) {
      return chapter;
    }
  }
  std::string known;
  for (const Chapter& chapter : chapters) {
    known += "\n  " + chapter.slug + " (program " + chapter.program + ")";
  }
  throw std::runtime_error("no chapter or program named '" + name + "'; there are:" + known);
}

Manifest load_manifest(const fs::path& build_dir) {
  const fs::path path = build_dir / "socklab-manifest.json";
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string() + " (configure the build first)");
  }
  const auto data = nlohmann::json::parse(in);
  Manifest manifest;
  manifest.source_dir = data.at("source_dir").get<std::string>();
  manifest.build_dir = data.at("build_dir").get<std::string>();
  manifest.labs_dir = data.at("labs_dir").get<std::string>();
  manifest.submission_build = data.at("submission_build").get<bool>();
  manifest.build_type = data.value("build_type", "");
  manifest.cxx_flags = data.value("cxx_flags", "");
  manifest.exe_linker_flags = data.value("exe_linker_flags", "");
  manifest.cxx_compiler = data.value("cxx_compiler", "");
  manifest.linker = data.value("linker", "");
  for (const auto& entry : data.at("chapters")) {
    Chapter chapter;
    chapter.slug = entry.at("slug");
    chapter.title = entry.at("title");
    chapter.article = entry.at("article");
    chapter.program = entry.at("program");
    chapter.lab_files = entry.at("lab_files").get<std::vector<std::string>>();
    chapter.tests_lab_target = entry.at("tests_lab_target");
    chapter.tests_lab = entry.at("tests_lab").get<std::string>();
    chapter.program_lab_target = entry.value("program_lab_target", "");
    chapter.program_lab = entry.value("program_lab", "");
    chapter.tests_ref_target = entry.value("tests_ref_target", "");
    chapter.tests_ref = entry.value("tests_ref", "");
    chapter.tests_archive_target = entry.value("tests_archive_target", "");
    chapter.oracle_target = entry.value("oracle_target", "");
    chapter.program_ref_target = entry.value("program_ref_target", "");
    chapter.program_ref = entry.value("program_ref", "");
    chapter.extra_tests_ref_target = entry.value("extra_tests_ref_target", "");
    chapter.extra_tests_ref = entry.value("extra_tests_ref", "");
    manifest.chapters.push_back(std::move(chapter));
  }
  return manifest;
}

}  // namespace socklab::cli
