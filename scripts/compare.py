#!/usr/bin/env python3
"""Peers for `lucid bench --markdown`: datasketch MinHashLSH near-duplicate detection and bm25s
retrieval, run on exactly the data lucid's side uses. Prints one JSON object on stdout.

usage: compare.py near-dup ITEMS.json        (items: {"texts": [...], "pairs": [[i, j], ...]})
       compare.py bm25 LOCOMO.json           (the LoCoMo file; raw turns, categories 1-4)
"""
import json
import re
import sys
import time


def tokens(text):
    return [t for t in re.split(r"[^0-9a-z]+", text.lower()) if t]


def near_dup(path):
    from datasketch import MinHash, MinHashLSH

    data = json.load(open(path))
    texts, truth = data["texts"], {tuple(sorted(p)) for p in data["pairs"]}
    started = time.perf_counter()
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    hashes = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=128)
        for token in set(tokens(text)):
            m.update(token.encode())
        hashes.append(m)
        lsh.insert(str(i), m)
    predicted = set()
    for i, m in enumerate(hashes):
        for key in lsh.query(m):
            j = int(key)
            if j != i:
                predicted.add(tuple(sorted((i, j))))
    seconds = time.perf_counter() - started
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tool": "datasketch MinHashLSH (threshold 0.5, 128 permutations)", "seconds": seconds,
            "precision": precision, "recall": recall, "f1": f1, "predicted": len(predicted)}


def dia_ids(raw):
    out = []
    for part in re.split(r"[;, ]+", raw):
        m = re.match(r"D(\d+):(\d+)$", part.strip())
        if m:
            out.append(f"D{int(m.group(1))}:{int(m.group(2))}")
    return out


def bm25(path):
    import bm25s
    try:
        import Stemmer
        stemmer = Stemmer.Stemmer("english")
    except ImportError:
        stemmer = None
    conversations = json.load(open(path))
    recalls = {5: 0.0, 10: 0.0, 50: 0.0}
    n = 0
    query_seconds = 0.0
    for conv in conversations:
        c = conv["conversation"]
        docs, ids = [], []
        sessions = sorted(int(k.split("_")[1]) for k in c if re.fullmatch(r"session_\d+", k) and isinstance(c[k], list))
        for s in sessions:
            for turn in c[f"session_{s}"]:
                text = f"{turn.get('speaker', 'someone')}: {turn.get('text', '')}"
                if turn.get("blip_caption"):
                    text += f" [shares a photo of {turn['blip_caption']}]"
                docs.append(text)
                ids.append((dia_ids(turn.get("dia_id", "")) or [""])[0])
        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(docs, stopwords="en", stemmer=stemmer, show_progress=False), show_progress=False)
        for qa in conv["qa"]:
            if qa.get("category") not in (1, 2, 3, 4):
                continue
            evidence = {e for raw in qa.get("evidence", []) for e in dia_ids(raw)}
            if not evidence:
                continue
            started = time.perf_counter()
            query = bm25s.tokenize([qa["question"]], stopwords="en", stemmer=stemmer, show_progress=False)
            k = min(50, len(docs))
            results, _ = retriever.retrieve(query, k=k, show_progress=False)
            query_seconds += time.perf_counter() - started
            ranked = [ids[int(d)] for d in results[0]]
            for cut in recalls:
                got = set(ranked[:cut])
                recalls[cut] += len(evidence & got) / len(evidence)
            n += 1
    return {"tool": "bm25s" + (" + PyStemmer" if stemmer else ""), "questions": n,
            "recall": {str(k): v / n for k, v in recalls.items()},
            "ms_per_query": 1000 * query_seconds / n}


if __name__ == "__main__":
    try:
        result = {"near-dup": near_dup, "bm25": bm25}[sys.argv[1]](sys.argv[2])
    except ImportError as error:
        result = {"skipped": f"python package unavailable: {error.name}"}
    print(json.dumps(result))
