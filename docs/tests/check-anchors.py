#!/usr/bin/env python3
"""Checks that every link into the docs site that names an anchor
(page.html#name, or #name on the same page) finds an element with that id or
name on its page.

linkchecker checks the pages and files themselves (check-links.sh); its anchor
plugin parses a page again for every link to one of its anchors, which took
17 of its 19 seconds on this site.  Here each page is parsed once.

    check-anchors.py SITE_DIR     exit 0: all found; 1: a list of what is not
"""
import html.parser
import pathlib
import sys
import urllib.parse


class Page(html.parser.HTMLParser):
    """The ids and names a page defines, and the links it holds."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors = set()
        self.links = []  # (line, href)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for key in ("id", "name") if tag in ("a", "area") else ("id",):
            if values.get(key):
                self.anchors.add(values[key])
        if tag in ("a", "area", "link") and values.get("href"):
            self.links.append((self.getpos()[0], values["href"]))


def main(site):
    pages = {}
    for path in sorted(site.rglob("*.html")):
        page = Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        pages[path.resolve()] = page
    if not pages:
        print(f"check-anchors: no pages in {site}", file=sys.stderr)
        return 1

    broken = []
    checked = 0
    for path, page in pages.items():
        for line, href in page.links:
            target = urllib.parse.urlsplit(href)
            if target.scheme or target.netloc or not target.fragment:
                continue  # another site, or no anchor
            into = (path.parent / urllib.parse.unquote(target.path)).resolve() if target.path else path
            if into not in pages:
                continue  # not a page of the site: linkchecker reports a missing file
            checked += 1
            if urllib.parse.unquote(target.fragment) not in pages[into].anchors:
                broken.append(f"{path.relative_to(site.resolve())}:{line}: {href}: no such anchor on "
                              f"{into.relative_to(site.resolve())}")
    for entry in broken:
        print(entry, file=sys.stderr)
    if broken:
        print(f"check-anchors: {len(broken)} of {checked} links to anchors are broken", file=sys.stderr)
        return 1
    print(f"check-anchors: {checked} links to anchors on {len(pages)} pages, all found")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: check-anchors.py SITE_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(pathlib.Path(sys.argv[1])))
