#!/usr/bin/env python3
"""Render corpus-src/<site>/*.json into the bundled site mirror under corpus/<host>/.

Three fictional sites, each with its own markup, as a scraper would have saved the pages:
  harbor  - semantic <main>/<article>/<section>, schema.org JSON-LD, pretty URLs (slug/index.html)
  sprouts - div soup, no semantic containers, no canonical link, dates only in visible text
  bump    - like the seed page: summary box, "Was this article helpful?" widget, editorial-policy
            blurb, a Sources list whose links carry "Opens a new window" text and "[Accessed ...]"
  topics  - NIH-style topic pages: numbered footnote markers in the text, an endnote list with
            back-links, Vancouver-style references with "[cited YYYY Mon]"
  corner  - an old table-layout site served in Windows-1252, references under a bold paragraph
            heading with bare URLs in the text
Deterministic: the same sources always give the same bytes.
"""
import datetime as dt
import html
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "corpus-src"
OUT = ROOT / "corpus"

SITES = {
    "harbor": {"host": "www.harborhealth.example", "name": "Harbor Health Library"},
    "sprouts": {"host": "littlesprouts.example", "name": "Little Sprouts"},
    "bump": {"host": "www.bumptobaby.example", "name": "BumpToBaby"},
    "topics": {"host": "topics.hearthsidehealth.example", "name": "Hearthside Health Topics"},
    "corner": {"host": "www.mothercraftcorner.example", "name": "Mothercraft Corner", "encoding": "cp1252"},
}

e = html.escape


def slugify(text):
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "section"


def long_date(iso):
    d = dt.date.fromisoformat(iso)
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def uk_date(iso):
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%B')} {d.year}"


def blocks_html(blocks, h3_ids=False):
    out = []
    for b in blocks:
        if "p" in b:
            out.append(f"<p>{e(b['p'])}</p>")
        elif "ul" in b or "ol" in b:
            tag = "ul" if "ul" in b else "ol"
            items = "".join(f"<li>{e(i)}</li>" for i in b[tag])
            out.append(f"<{tag}>{items}</{tag}>")
        elif "h3" in b:
            idattr = f' id="{slugify(b["h3"])}"' if h3_ids else ""
            out.append(f"<h3{idattr}>{e(b['h3'])}</h3>")
    return "\n".join(out)


def et_al(authors):
    first = authors.split(",")[0].strip()
    if authors.count(",") >= 2 or "et al" in authors:
        return f"{first} et al."
    return authors.rstrip(".")


# ---------------------------------------------------------------- harbor (semantic)

def harbor(a, site, url, related):
    crumbs = "".join(
        f'<li><a href="/{slugify(c)}/">{e(c)}</a></li>' for c in a["breadcrumbs"])
    toc = "".join(
        f'<li><a href="#{slugify(s["heading"])}">{e(s["heading"])}</a></li>' for s in a["sections"])
    sections = []
    for i, s in enumerate(a["sections"]):
        sections.append(
            f'<section id="{slugify(s["heading"])}">\n<h2>{e(s["heading"])}</h2>\n'
            f'{blocks_html(s["blocks"], h3_ids=True)}\n</section>')
        if i == 1:
            sections.append(
                '<aside class="newsletter-signup"><h2>Get our weekly pregnancy email</h2>'
                '<p>Week-by-week guidance, straight to your inbox.</p>'
                '<form action="/subscribe"><input type="email" name="email"><button>Sign up</button></form></aside>')
    refs = []
    for c in a["citations"]:
        acc = f' Accessed {e(c["accessed"])}.' if c.get("accessed") else ""
        refs.append(
            f'<li><span class="ref-authors">{e(c["authors"])}</span> ({c["year"]}). '
            f'<cite>{e(c["title"])}</cite>. <i>{e(c["container"])}</i>. '
            f'<a href="{e(c["url"])}">{e(c["url"])}</a>.{acc}</li>')
    ld = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "headline": a["title"],
        "description": a["summary"],
        "url": url,
        "datePublished": a["published"],
        "dateModified": a["reviewed"],
        "lastReviewed": a["reviewed"],
        "author": {"@type": "Person", "name": a["author"]},
        "reviewedBy": {"@type": "Person", "name": a["reviewer"]},
        "publisher": {"@type": "Organization", "name": site["name"]},
        "breadcrumb": {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": i + 1, "name": c}
                for i, c in enumerate(a["breadcrumbs"])
            ],
        },
    }
    rel = "".join(f'<li><a href="{e(u)}">{e(t)}</a></li>' for t, u in related)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(a["title"])} | {site["name"]}</title>
<meta name="description" content="{e(a["summary"])}">
<meta property="og:title" content="{e(a["title"])}">
<meta property="og:type" content="article">
<link rel="canonical" href="{e(url)}">
<link rel="stylesheet" href="/assets/harbor.css">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<script src="/assets/analytics.js" async></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<a class="logo" href="/">{site["name"]}</a>
<nav aria-label="Main"><ul><li><a href="/pregnancy/">Pregnancy</a></li><li><a href="/womens-health/">Women's health</a></li><li><a href="/about/">About us</a></li></ul></nav>
<form role="search" action="/search"><label for="q">Search the library</label><input id="q" name="q"><button>Search</button></form>
</header>
<main id="main">
<nav aria-label="Breadcrumb" class="breadcrumbs"><ol><li><a href="/">Home</a></li>{crumbs}</ol></nav>
<article>
<header>
<h1>{e(a["title"])}</h1>
<p class="standfirst">{e(a["summary"])}</p>
<p class="byline">By <span class="author">{e(a["author"])}</span>. Medically reviewed by <span class="reviewer">{e(a["reviewer"])}</span> on <time datetime="{a["reviewed"]}">{long_date(a["reviewed"])}</time>.</p>
</header>
<nav class="toc" aria-label="On this page"><h2>On this page</h2><ul>{toc}</ul></nav>
{chr(10).join(sections)}
<section class="references" id="references">
<h2>References</h2>
<ol>
{chr(10).join(refs)}
</ol>
</section>
</article>
<aside class="related-articles"><h2>Related articles</h2><ul>{rel}</ul></aside>
</main>
<footer class="site-footer"><p>&copy; 2024 {site["name"]}. Our content is for information only and does not replace advice from your own doctor or midwife.</p><ul><li><a href="/privacy/">Privacy</a></li><li><a href="/contact/">Contact</a></li></ul></footer>
<div class="cookie-banner" role="dialog"><p>We use cookies to understand how the library is used.</p><button>Accept all</button><button>Manage settings</button></div>
</body>
</html>
"""


# ---------------------------------------------------------------- sprouts (div soup)

def sprouts(a, site, url, related):
    crumbs = " &gt; ".join(
        [f'<a href="/">Home</a>'] + [f'<a href="/{slugify(c)}.html">{e(c)}</a>' for c in a["breadcrumbs"]])
    body = []
    for i, s in enumerate(a["sections"]):
        body.append(f'<h2>{e(s["heading"])}</h2>\n{blocks_html(s["blocks"])}')
        if i == 0:
            body.append('<div class="ad-slot"><span>Advertisement</span></div>')
        if i == 2:
            body.append('<div class="share-bar">Share this: <a href="#">Facebook</a> <a href="#">Pinterest</a> <a href="#">Email</a></div>')
    srcs = []
    for c in a["citations"]:
        acc = f' (accessed {e(c["accessed"])})' if c.get("accessed") else ""
        srcs.append(
            f'<div class="src">{e(c["authors"].rstrip("."))}. {e(c["title"])}. {e(c["container"])}, {c["year"]}. '
            f'<a href="{e(c["url"])}" rel="nofollow">{e(c["url"])}</a>{acc}</div>')
    rel = "".join(f'<div class="pop-item"><a href="{e(u)}">{e(t)}</a></div>' for t, u in related)
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{e(a["title"])} - {site["name"]}</title>
<meta name="keywords" content="{e(", ".join(a["breadcrumbs"]))}">
<link href="/css/style.css" rel="stylesheet" type="text/css">
<script type="text/javascript">var _sp = _sp || []; _sp.push(['trackPage']);</script>
</head>
<body>
<div id="wrap">
<div class="topbar"><div class="logo"><a href="/">{site["name"]}</a></div>
<div class="menu"><a href="/baby.html">Baby</a> | <a href="/toddler.html">Toddler</a> | <a href="/family-health.html">Family health</a> | <a href="/login.html">Log in</a></div></div>
<div class="crumbs">{crumbs}</div>
<div class="main-col">
<div class="post-title"><h1>{e(a["title"])}</h1></div>
<div class="post-meta">Written by {e(a["author"])} | Reviewed by {e(a["reviewer"])} | Page last reviewed: {uk_date(a["reviewed"])}</div>
<div class="post-body">
<div class="intro"><b>{e(a["summary"])}</b></div>
{chr(10).join(body)}
</div>
<div class="sources"><b>Sources</b><br>
{chr(10).join(srcs)}
</div>
<div class="comments"><b>3 comments</b><div class="cmt">Thank you, this really helped us last night!</div><div class="cmt-form">Leave a comment <input type="text"></div></div>
</div>
<div class="sidebar"><div class="widget"><b>Popular right now</b>{rel}</div>
<div class="newsletter"><b>Join 40,000 parents</b> Sign up for our newsletter <input type="text"> <input type="button" value="Go"></div></div>
<div class="foot">{site["name"]} &copy; 2023 | <a href="/about.html">About</a> | <a href="/privacy.html">Privacy policy</a> | First published {uk_date(a["published"])}</div>
</div>
</body>
</html>
"""


# ---------------------------------------------------------------- bump (seed-like)

def bump(a, site, url, related):
    body = []
    for s in a["sections"]:
        body.append(f'<h2 id="{slugify(s["heading"])}">{e(s["heading"])}</h2>\n{blocks_html(s["blocks"])}')
    srcs = []
    for i, c in enumerate(a["citations"]):
        # Half the links carry their screen-reader label in a visually hidden span, the other half
        # as a plain span, as sites are inconsistent about it.
        label = ('<span class="visually-hidden">Opens a new window</span>' if i % 2 == 0
                 else '<span class="link-label">Opens a new window</span>')
        acc = f' [Accessed {e(c["accessed"])}]' if c.get("accessed") else ""
        srcs.append(
            f'<li><p>{e(et_al(c["authors"]))} {c["year"]}. {e(c["title"])}. {e(c["container"])}. '
            f'<a href="{e(c["url"])}" target="_blank" rel="noopener">{e(c["url"])}{label}</a>{acc}</p></li>')
    rel = "".join(f'<li><a href="{e(u)}">{e(t)}</a></li>' for t, u in related)
    crumbs = "".join(f'<li><a href="/{slugify(c)}">{e(c)}</a></li>' for c in a["breadcrumbs"])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>{e(a["title"])} | {site["name"]}</title>
<meta name="description" content="{e(a["summary"])}">
<meta property="og:title" content="{e(a["title"])}">
<meta property="article:published_time" content="{a["published"]}T09:00:00Z">
<meta property="article:modified_time" content="{a["reviewed"]}T09:00:00Z">
<link rel="canonical" href="{e(url)}">
</head>
<body>
<div class="site-nav"><a href="/">{site["name"]}</a><ul><li><a href="/pregnancy">Pregnancy</a></li><li><a href="/after-the-birth">After the birth</a></li><li><a href="/feeding">Feeding</a></li><li><a href="/community">Community</a></li></ul></div>
<div class="page">
<ul class="breadcrumb">{crumbs}</ul>
<div class="article-container">
<h1 class="article-title">{e(a["title"])}</h1>
<div class="article-meta"><span class="reviewer">Medically reviewed by {e(a["reviewer"])}</span> <span class="author">Written by {e(a["author"])}</span> <span class="updated">Updated {long_date(a["reviewed"])}</span></div>
<div class="article-summary"><p class="summary-label">In a nutshell</p><p>{e(a["summary"])}</p></div>
<div class="article-body">
{chr(10).join(body)}
</div>
<div class="helpful-widget"><p>Was this article helpful?</p><button>Yes</button><button>No</button></div>
<div class="editorial-policy"><p>Every BumpToBaby article is written by our editorial team and checked by doctors, midwives and lactation consultants on our medical advisory board. We revisit articles when new evidence is published. Read our editorial policy to learn how we choose and cite our sources.</p></div>
<div class="article-sources"><h2>Sources</h2>
<ul>
{chr(10).join(srcs)}
</ul>
</div>
</div>
<div class="more-like-this"><h3>You might also like</h3><ul>{rel}</ul></div>
</div>
<div class="footer"><p>&copy; 2024 {site["name"]}. All rights reserved. The information on this site is general and is not medical advice.</p></div>
</body>
</html>
"""


# ---------------------------------------------------------------- topics (footnotes)

def footnoted(text):
    """Turns [n] markers into footnote links."""
    out = []
    for part in re.split(r"(\[\d+\])", text):
        m = re.fullmatch(r"\[(\d+)\]", part)
        if m:
            n = m.group(1)
            out.append(f'<sup class="footnote-ref"><a href="#fn{n}">{n}</a></sup>')
        else:
            out.append(e(part))
    return "".join(out)


def topic_blocks(blocks):
    out = []
    for b in blocks:
        if "p" in b:
            out.append(f"<p>{footnoted(b['p'])}</p>")
        elif "ul" in b or "ol" in b:
            tag = "ul" if "ul" in b else "ol"
            out.append(f"<{tag}>" + "".join(f"<li>{footnoted(i)}</li>" for i in b[tag]) + f"</{tag}>")
        elif "h3" in b:
            out.append(f'<h3 id="{slugify(b["h3"])}">{e(b["h3"])}</h3>')
    return "\n".join(out)


def cited(accessed):
    month, year = accessed.split()
    return f" [cited {year} {month[:3]}]"


def topics(a, site, url, related):
    body = "\n".join(f'<h2 id="{slugify(s["heading"])}">{e(s["heading"])}</h2>\n{topic_blocks(s["blocks"])}' for s in a["sections"])
    refs = []
    for i, c in enumerate(a["citations"], 1):
        acc = cited(c["accessed"]) if c.get("accessed") else ""
        refs.append(
            f'<li id="fn{i}">{e(c["authors"].rstrip("."))}. {e(c["title"])}. {e(c["container"])}; {c["year"]}{acc}. '
            f'Available from: <a href="{e(c["url"])}">{e(c["url"])}</a> <a href="#top" class="footnote-back" role="doc-backlink">&#8617;</a></li>')
    rail = "".join(f'<li><a href="{e(u)}">{e(t)}</a></li>' for t, u in related)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>{e(a["title"])} | {site["name"]}</title>
<meta name="description" content="{e(a["summary"])}">
<link rel="canonical" href="{e(url)}">
</head>
<body id="top">
<div id="skip"><a href="#topic-content">Skip to main content</a></div>
<div role="banner" class="hht-banner"><a href="/">{site["name"]}</a> <span>Trusted health information for families</span></div>
<div class="layout">
<div class="left-rail" role="navigation"><h3>Health topics A&ndash;Z</h3><ul>{rail}</ul></div>
<div id="topic-content" class="topic">
<h1>{e(a["title"])}</h1>
<div class="topic-summary"><p>{e(a["summary"])}</p></div>
<div class="topic-body">
{body}
</div>
<section class="footnotes" role="doc-endnotes">
<h2>References</h2>
<ol>
{chr(10).join(refs)}
</ol>
</section>
<div class="page-info">First published: {long_date(a["published"])}. Content reviewed: {long_date(a["reviewed"])}.</div>
</div>
</div>
<div class="hht-footer">{site["name"]} is an educational resource and does not provide medical advice.</div>
</body>
</html>
"""


# ---------------------------------------------------------------- corner (Windows-1252 tables)

def corner(a, site, url, related):
    body = "\n".join(f'<h2>{e(s["heading"])}</h2>\n{blocks_html(s["blocks"])}' for s in a["sections"])
    refs = []
    for c in a["citations"]:
        acc = f' Accessed {e(c["accessed"])}.' if c.get("accessed") else ""
        refs.append(f'<li>{e(c["authors"].rstrip("."))}. {e(c["title"])}. {e(c["container"])}. {c["year"]}. {e(c["url"])}{acc}</li>')
    nav = "<br>".join(f'<a href="{e(u)}">{e(t)}</a>' for t, u in related)
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>{e(a["title"])} - {site["name"]}</title>
</head>
<body bgcolor="#fffaf0">
<table width="100%" border="0" cellpadding="4">
<tr><td colspan="2" class="masthead"><font size="5">{site["name"]}</font> &middot; <font size="2">Friendly pregnancy advice since 1999</font></td></tr>
<tr>
<td valign="top" width="180" class="leftnav"><b>More articles</b><br>{nav}<br><br><a href="/">Home</a></td>
<td valign="top" class="maincell">
<h1 class="art">{e(a["title"])}</h1>
<p><i>Written by {e(a["author"])}. Last reviewed {uk_date(a["reviewed"])} by {e(a["reviewer"])}.</i></p>
<p class="lead">{e(a["summary"])}</p>
{body}
<hr>
<p><b>References</b></p>
<ol>
{chr(10).join(refs)}
</ol>
</td>
</tr>
</table>
<p align="center"><font size="1">&copy; {site["name"]} 1999&ndash;2024. First published {uk_date(a["published"])}.</font></p>
</body>
</html>
"""


RENDER = {"harbor": harbor, "sprouts": sprouts, "bump": bump, "topics": topics, "corner": corner}


def url_and_file(key, a):
    host = SITES[key]["host"]
    if key == "harbor":
        return (f"https://{host}/{a['path']}/{a['slug']}/", f"{host}/{a['path']}/{a['slug']}/index.html")
    if key == "sprouts":
        return (f"https://{host}/{a['path']}/{a['slug']}.html", f"{host}/{a['path']}/{a['slug']}.html")
    if key == "corner":
        return (f"https://{host}/{a['path']}/{a['slug']}.htm", f"{host}/{a['path']}/{a['slug']}.htm")
    return (f"https://{host}/{a['path']}/{a['slug']}", f"{host}/{a['path']}/{a['slug']}.html")


def index_page(key, links):
    site = SITES[key]
    items = "".join(f'<li><a href="{e(u)}">{e(t)}</a></li>' for t, u in links)
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>All articles | {site["name"]}</title></head>
<body>
<h1>All articles</h1>
<ul class="article-index">{items}</ul>
</body>
</html>
"""


def main():
    written = 0
    for key, site in SITES.items():
        arts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((SRC / key).glob("*.json"))]
        urls = [url_and_file(key, a) for a in arts]
        links = [(a["title"], u) for a, (u, _) in zip(arts, urls)]
        for i, (a, (url, rel)) in enumerate(zip(arts, urls)):
            related = [links[(i + k) % len(links)] for k in (1, 2, 3) if len(links) > k]
            path = OUT / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            page = RENDER[key](a, site, url, related)
            path.write_bytes(page.encode(site.get("encoding", "utf-8"), errors="xmlcharrefreplace"))
            written += 1
        if links:
            index = index_page(key, links).encode(site.get("encoding", "utf-8"), errors="xmlcharrefreplace")
            (OUT / site["host"] / "index.html").write_bytes(index)
    print(f"wrote {written} articles", file=sys.stderr)


if __name__ == "__main__":
    main()
