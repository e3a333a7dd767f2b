"""The long loops of a Word template rendered beside docxtpl and streamed into the document.

docxtpl renders a template's whole body to one string, parses it into one lxml tree and serialises the tree
when the document is saved: for a national report (10,000 agencies, one table row and a dozen paragraphs
each) that tree alone held ~150 MB. Here the body's outermost ``for`` loops over the long lists of the
report (``LONG``: the agencies, the missing ones, the quotes of each part …) are cut out of the body before
docxtpl renders it, each leaving an XML comment in its place; docxtpl renders the rest (a few pages, one small
tree). When the package is written, each loop is rendered with the same Jinja environment and context, its
output cleaned exactly as docxtpl cleans a body (line breaks and tabs, escaped braces), parsed and serialised
by lxml (the parser and serialisation docxtpl uses) a few hundred iterations at a time, and written where
its comment stands. The document is byte for byte the one docxtpl makes; only the memory it takes changes.

A loop stays with docxtpl when docxtpl's post-processing could touch it: it holds an image (docxtpl renumbers
their ids over the whole body) or a column loop ``{%tc %}`` (docxtpl widens the table's grid to the widest
row); and the whole body does when the template binds names of its own (``{% set %}``, ``{% with %}``, a
macro), which a loop rendered apart would not see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from lxml import etree

__all__ = ["LONG", "Loops", "cut_loops"]

# The lists of a report's context that grow with the number of agencies.
LONG = re.compile(r"(agencies|missing_agencies|bounced_agencies|narratives|parts\[\d+\]\.quotes)")

_STATEMENT = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.DOTALL)
_FOR = re.compile(r"\s*\w+\s+in\s+(\S+?)\s*$", re.DOTALL)
_BINDS = ("set", "with", "macro", "call", "import", "from", "include", "extends", "block")
_STAYS = re.compile(r"<wp:docPr\b|\{%-?\s*for\b[^%]*%\}\s*<w:tc\b")
_MARK = "<!--dondoc-loop-{}-->"
_MARKED = re.compile(rb"<!--dondoc-loop-(\d+)-->")
# Written at the start of each iteration of a cut loop: the output between two is whole elements (NUL never
# is in a body: XML cannot hold it, and the report's text is cleaned of it).
_ITERATION = "\x00"
CHUNK = 1 << 18  # characters of rendered XML gathered (whole iterations) before they are cleaned and parsed


def cut_loops(xml: str) -> tuple[str, list[str]]:
    """``xml`` (a body docxtpl has patched: plain Jinja tags) with its long outermost loops replaced by marks.

    Returns the body to give docxtpl and the source of each loop cut, in the order of their marks.
    """
    if any(m.group(1) in _BINDS for m in _STATEMENT.finditer(xml)):
        return xml, []
    pieces: list[str] = []
    loops: list[str] = []
    depth, start, opening_end, taken, long = 0, 0, 0, 0, False
    for match in _STATEMENT.finditer(xml):
        word = match.group(1)
        if word == "for":
            if depth == 0:
                start, opening_end = match.start(), match.end()
                iterable = _FOR.match(match.group(2))
                long = bool(iterable and LONG.fullmatch(iterable.group(1)))
            depth += 1
        elif word == "endfor" and depth:
            depth -= 1
            if depth == 0 and long:
                source = xml[start : match.end()]
                if not _STAYS.search(source):
                    source = source[: opening_end - start] + _ITERATION + source[opening_end - start :]
                    pieces += [xml[taken:start], _MARK.format(len(loops))]
                    loops.append(source)
                    taken = match.end()
    pieces.append(xml[taken:])
    return "".join(pieces), loops


class Loops:
    """The loops cut from one body, rendered into the saved ``document.xml`` where their marks are.

    ``render(source)`` gives the loop's Jinja output piece by piece; ``clean(xml)`` is what docxtpl does to a
    rendered body before parsing it (for whole paragraphs); ``namespaces`` are those the document's root
    declares (the loop's elements are serialised as children of that root: no declarations of their own).
    """

    def __init__(
        self,
        loops: list[str],
        render: Callable[[str], Iterable[str]],
        clean: Callable[[str], str],
        namespaces: dict[str | None, str],
    ) -> None:
        self._loops, self._render, self._clean = loops, render, clean
        self._namespaces = {prefix: uri for prefix, uri in namespaces.items()}

    def fill(self, document_xml: bytes) -> Iterator[bytes]:
        """``document_xml`` with each mark replaced by its loop, in pieces (to write into the package)."""
        taken = 0
        for mark in _MARKED.finditer(document_xml):
            yield document_xml[taken : mark.start()]
            for piece in self._serialised(self._loops[int(mark.group(1))]):
                yield piece.encode("utf-8")
            taken = mark.end()
        yield document_xml[taken:]

    def _cleaned(self, source: str) -> Iterator[str]:
        """The loop's output, cleaned as docxtpl cleans a body, in pieces of whole iterations.

        docxtpl's cleaning works paragraph by paragraph (and on "\\n<w:p", "{_{" …, which never straddle an
        element's end): cleaning the output in pieces cut between iterations gives the same text as whole.
        """
        gathered: list[str] = []
        size = 0
        for chunk in self._render(re.sub(r"<w:p([ >])", r"\n<w:p\1", source)):
            if _ITERATION in chunk and size >= CHUNK:
                before, _, after = chunk.partition(_ITERATION)
                gathered.append(before)
                yield self._clean_part("".join(gathered))  # str.join: a Markup piece does not escape the others
                gathered, size = [after], len(after)
            else:
                gathered.append(chunk)
                size += len(chunk)
        yield self._clean_part("".join(gathered))

    def _clean_part(self, xml: str) -> str:
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml.replace(_ITERATION, ""))
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return self._clean(xml)

    def _serialised(self, source: str) -> Iterator[str]:
        """The loop's output as lxml serialises it inside the document: each piece parsed under an element that
        declares the root's namespaces (docxtpl's parser: recover=True, whitespace and comments kept), and
        written without that element."""
        declarations = " ".join(
            f'xmlns="{uri}"' if prefix is None else f'xmlns:{prefix}="{uri}"'
            for prefix, uri in self._namespaces.items()
        )
        parser = etree.XMLParser(recover=True)
        for piece in self._cleaned(source):
            wrapped = etree.fromstring(f"<dondoc-loop {declarations}>{piece}</dondoc-loop>", parser)
            text = etree.tostring(wrapped, encoding="unicode")
            if text.endswith("/>"):  # nothing inside
                continue
            yield text[text.index(">") + 1 : -len("</dondoc-loop>")]
