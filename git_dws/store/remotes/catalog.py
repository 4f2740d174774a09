"""What a data remote holds, read in a handful of requests: one LIST of `objects/` (loose objects), one
LIST of `packs/`, and one read per pack index (in one batch where the backend can). Nothing is HEADed or
fetched per object. Keys that are not exactly a digest or a pack name are ignored; indexes are validated
(packs.parse_index) before any entry is believed."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import Backend, Entry, split_object_key
from .packs import MAX_INDEX, BadIndex, PackIndex, index_key, parse_index, split_pack_key


@dataclass(slots=True)
class Catalog:
    loose: dict[str, int] = field(default_factory=dict)  # digest -> size of objects/<2>/<62>
    packed: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # digest -> (pack, offset, size)
    packs: dict[str, PackIndex] = field(default_factory=dict)  # usable packs (index valid, pack complete)
    loose_entries: dict[str, Entry] = field(default_factory=dict)  # digest -> listing entry
    pack_files: dict[str, Entry] = field(default_factory=dict)  # every key under packs/ we recognise

    def sizes(self) -> dict[str, int]:
        """digest -> size of every object the remote holds (packed first, then loose)."""
        out = dict(self.loose)
        out.update({d: s for d, (_, _, s) in self.packed.items()})
        return out


def read_catalog(backend: Backend) -> Catalog:
    cat = Catalog()
    for key, e in backend.list("objects/").items():
        d = split_object_key(key)
        if d is not None:
            cat.loose[d] = e.size
            cat.loose_entries[d] = e
    listed = backend.list("packs/")
    packs: dict[str, Entry] = {}
    indexes: dict[str, Entry] = {}
    for key, e in listed.items():
        parsed = split_pack_key(key)
        if parsed is None:
            continue
        cat.pack_files[key] = e
        (packs if parsed[1] == "pack" else indexes)[parsed[0]] = e
    # Only indexes whose pack is there: an index alone is a pack deleted half-way (gc), never trusted.
    wanted = sorted(n for n in indexes if n in packs)
    for name in wanted:
        if indexes[name].size > MAX_INDEX:
            raise BadIndex(backend.url, index_key(name), "too large")
    blobs = backend.read_many([index_key(n) for n in wanted])
    for name in wanted:
        key = index_key(name)
        data = blobs.get(key)
        if data is None:  # deleted between the listing and the read (a concurrent gc)
            continue
        idx = parse_index(data, name, where=backend.url, key=key)
        if packs[name].size != idx.pack_size:
            continue  # the pack is not (yet) complete on a backend without atomic uploads
        cat.packs[name] = idx
        for d, (off, size) in idx.entries.items():
            cat.packed.setdefault(d, (name, off, size))
    return cat
