"""On the dev corpus: the facts export from the store gives back exactly what extraction found.

Reads ../shared/corpus/dev at run time (skipped when absent); compares as multisets, since
the export orders lists by evidence position.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.export import facts_records
from kg.extract import extract
from kg.ingest import read_paths
from kg.normalize import normalize
from kg.rdf import facts_to_quads
from kg.store import Store
from kg.validate import validate

from kg_sample import expected_record

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"


def _bag(items):
    return sorted(json.dumps(x, ensure_ascii=False, sort_keys=True) for x in items)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no dev corpus at ../shared/corpus/dev")
def test_export_equals_extracted_facts_and_conforms(tmp_path):
    facts = {}
    with Store.open(tmp_path / "store") as store:
        for entry in read_paths([CORPUS]):
            if entry.document is None:
                continue
            f = extract(normalize(entry.document))
            facts[f.doc.doc_id] = f
            store.put_document(*facts_to_quads(f))
        records = facts_records(store)
        conforms, report = validate(store)
    assert conforms, report
    assert sorted(r["doc"] for r in records) == sorted(facts)
    for record in records:
        expected = expected_record(facts[record["doc"]])
        assert set(record["ids"]) == set(record["persons"])
        for key, value in expected.items():
            got = record[key]
            assert (_bag(got) == _bag(value)) if isinstance(value, list) else (got == value), (record["doc"], key)
