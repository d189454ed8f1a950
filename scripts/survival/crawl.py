#!/usr/bin/env python3
"""Follows every link of the static mirror, the way a reader (or a search engine) would.

  crawl.py --base URL [--start / --start /en/] [--limit 5000]

Starting from the given pages it fetches every same-origin `href` and `src` (and `url()`
in CSS, and `/pkg/…` files named in inline scripts), page by page, and requires every
one to answer 200. Also checks that every HTML page says when it was generated
(`id="mirror-notice"`), that no link needs a query string (a folder of files cannot
answer `?lang=en` or `?page=2` differently), and that both languages were reached.
"""

import argparse
import concurrent.futures
import html.parser
import re
import urllib.parse

import common

INLINE_PKG = re.compile(r"""["'(](/pkg/[^"'()\s]+)""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")
LINK_ATTRS = {"href", "src", "poster", "data"}


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.forms = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in LINK_ATTRS:
            if attrs.get(name):
                self.links.append(attrs[name])
        if attrs.get("srcset"):
            self.links += [part.strip().split(" ")[0] for part in attrs["srcset"].split(",")]
        if tag == "form":
            self.forms.append((attrs.get("method") or "get").lower() + " " + (attrs.get("action") or ""))
        self.in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script:
            self.links += INLINE_PKG.findall(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--start", action="append", default=[])
    parser.add_argument("--limit", type=int, default=5000)
    args = parser.parse_args()
    starts = args.start or ["/", "/en/"]
    origin = urllib.parse.urlsplit(args.base)

    seen = set()
    queue = []
    broken = []        # (url, status or error, found on)
    query_links = {}   # link with a query → first page it was on
    external = set()
    forms = {}
    pages = {"ko": 0, "en": 0}
    no_notice = []
    fetched = 0

    def enqueue(link, page):
        link = link.strip()
        if not link or link.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
            return
        absolute = urllib.parse.urljoin(urllib.parse.urljoin(args.base, page), link)
        parts = urllib.parse.urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc != origin.netloc:
            external.add(f"{parts.scheme}://{parts.netloc}")
            return
        path = parts.path or "/"
        if parts.query:
            query_links.setdefault(f"{path}?{parts.query}", page)
        if path not in seen:
            seen.add(path)
            queue.append((path, page))

    def fetch(item):
        path, page = item
        answer, error = common.try_request(args.base, urllib.parse.quote(path, safe="/%:@-._~!$&'()*+,;="),
                                           timeout=10)
        return path, page, answer, error

    for start in starts:
        seen.add(start)
        queue.append((start, "(start)"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        while queue and fetched < args.limit:
            batch, queue[:] = queue[:], []
            for path, page, answer, error in pool.map(fetch, batch):
                fetched += 1
                if answer is None or answer.status != 200:
                    broken.append((path, error or f"HTTP {answer.status}", page))
                    continue
                kind = answer.header("Content-Type") or ""
                if kind.startswith("text/html"):
                    pages["en" if path.startswith("/en/") or path == "/en" else "ko"] += 1
                    if 'id="mirror-notice"' not in answer.text:
                        no_notice.append(path)
                    parser_ = Links()
                    parser_.feed(answer.text)
                    for form in parser_.forms:
                        forms.setdefault(form, path)
                    for link in parser_.links:
                        enqueue(link, path)
                elif kind.startswith("text/css") or path.endswith(".css"):
                    for link in CSS_URL.findall(answer.text):
                        enqueue(link, path)

    total_pages = pages["ko"] + pages["en"]
    common.check(not broken and fetched > 0,
                 "static mirror served by nginx alone: every link from / and /en/ answers 200",
                 f"0 broken of {fetched} URLs ({total_pages} pages)",
                 f"{len(broken)} broken of {fetched} URLs; e.g. "
                 + "; ".join(f"{u} ({why}, linked from {p})" for u, why, p in broken[:6]))
    common.check(pages["ko"] > 1 and pages["en"] > 1,
                 "static mirror: both languages reached by following links",
                 f"{pages['ko']} Korean pages, {pages['en']} English pages")
    common.check(not no_notice and total_pages > 0,
                 "static mirror: every page says when it was generated (id=\"mirror-notice\")",
                 f"{total_pages} pages", f"{len(no_notice)} of {total_pages} pages without it, e.g. "
                 + ", ".join(no_notice[:5]))
    common.check(not query_links,
                 "static mirror: no link depends on a query string",
                 "none", f"{len(query_links)} links, e.g. "
                 + ", ".join(f"{q} (on {p})" for q, p in list(query_links.items())[:5]))
    if forms:
        common.info("forms in the mirror (cannot work without the server): "
                    + ", ".join(f"{f} (on {p})" for f, p in list(forms.items())[:6]))
    if external:
        common.info("other origins linked (not followed): " + ", ".join(sorted(external)[:6]))
    if fetched >= args.limit:
        common.info(f"stopped at the limit of {args.limit} URLs")


if __name__ == "__main__":
    common.run(main)
