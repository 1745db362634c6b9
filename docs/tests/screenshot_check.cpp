// screenshot-check: tells whether a screenshot of a page shows something.
//
// A page that failed to render (a blank tab, an error page with nothing on
// it, a stylesheet that hides everything) is nearly one colour.  So the check
// reads the PNG's pixels and measures how many differ from the most common
// colour ("ink"), and how many distinct colours there are; text antialiased on
// a page has hundreds.  Exit status 0 when both reach their minimums, 1 when
// not, 2 when the file cannot be read.
#include <png.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "socklab/command_line.hpp"

namespace {

struct Pixels {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::uint8_t> rgb;  // 3 bytes a pixel
};

// Reads any PNG as 8-bit RGB, with libpng's simplified API.
bool read_png(const std::string& path, Pixels& out, std::string& error) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) {
    error = image.message;
    return false;
  }
  image.format = PNG_FORMAT_RGB;
  out.width = image.width;
  out.height = image.height;
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr) == 0) {
    error = image.message;
    png_image_free(&image);
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"screenshot-check: fails when a screenshot is (nearly) blank"};
  std::string path;
  double min_ink = 0.01;
  std::size_t min_colours = 32;
  app.add_option("png", path, "the screenshot")->required();
  app.add_option("--min-ink", min_ink, "least share of pixels that differ from the most common colour")
      ->capture_default_str();
  app.add_option("--min-colours", min_colours, "least number of distinct colours")->capture_default_str();
  if (const auto status = socklab::parse_command_line(app, argc, argv)) {
    return *status;
  }

  Pixels pixels;
  std::string error;
  if (!read_png(path, pixels, error)) {
    fmt::print(stderr, "screenshot-check: {}: {}\n", path, error);
    return 2;
  }
  const std::size_t count = std::size_t{pixels.width} * pixels.height;
  if (count == 0) {
    fmt::print(stderr, "screenshot-check: {}: the image has no pixels\n", path);
    return 1;
  }

  std::unordered_map<std::uint32_t, std::size_t> histogram;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* p = &pixels.rgb[i * 3];
    const auto colour = static_cast<std::uint32_t>((p[0] << 16) | (p[1] << 8) | p[2]);
    ++histogram[colour];
  }
  const auto dominant = std::max_element(histogram.begin(), histogram.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
  const double ink = 1.0 - static_cast<double>(dominant->second) / static_cast<double>(count);

  fmt::print("{}: {}x{}, {} colours, {:.1f}% ink (background #{:06x})\n", path, pixels.width, pixels.height,
             histogram.size(), ink * 100, dominant->first);
  if (ink < min_ink || histogram.size() < min_colours) {
    fmt::print(stderr, "screenshot-check: {} looks blank (need {:.1f}% ink and {} colours)\n", path,
               min_ink * 100, min_colours);
    return 1;
  }
  return 0;
}
