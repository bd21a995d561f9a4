"""Running a generation: chunks in worker processes, files and truth appended in chunk order."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from generator.chunk import (
    TRUTH_LIFECYCLE,
    TRUTH_NEGATIVES,
    TRUTH_PEOPLE,
    TRUTH_RECORDS,
    ChunkResult,
    FileGroup,
    chunk_count,
    generate_chunk,
)
from generator.config import (
    CHUNK_SIZE,
    FEEDS,
    GENERATOR_VERSION,
    GenerationSummary,
    GeneratorConfig,
    GeneratorConfigError,
)
from infra.errors import UserFacingError

TRUTH_FILES = {
    "records.parquet": TRUTH_RECORDS,
    "people.parquet": TRUTH_PEOPLE,
    "lifecycle.parquet": TRUTH_LIFECYCLE,
    "hard_negatives.parquet": TRUTH_NEGATIVES,
}
MANIFEST = "manifest.json"
_IO_THREADS = 4
# Receipt ids give each chunk 100,000 numbers out of 10^8.
MAX_CHUNKS = 1000


class OutputFolderError(UserFacingError, ValueError):
    """The output folder holds landing data from something else."""


def generate(
    config: GeneratorConfig, out: Path, progress: Callable[[int, int], None] | None = None
) -> GenerationSummary:
    """Generate landing files for every feed, with the hidden truth behind them.

    Writes ``out/landing/<channel>/<YYYY-MM-DD>/<file>`` and ``out/truth/`` (records, people,
    lifecycle and hard negatives as Parquet, plus ``manifest.json``). The same config always produces
    byte-identical files, whatever the number of workers.

    Args:
        config: what to generate.
        out: the home folder to write into. Regenerating with the same config overwrites it; a folder
            whose landing data came from another config (or from elsewhere) is refused.
        progress: called with (people done, people in total) as chunks finish.

    Raises:
        OutputFolderError: ``out/landing`` already holds files not produced by this config.

    Example:
        >>> import tempfile
        >>> summary = generate(GeneratorConfig(people=50, days=60), Path(tempfile.mkdtemp()))
        >>> summary.people
        50
    """
    return run_generation(config, Path(out), progress)


def run_generation(
    config: GeneratorConfig,
    out: Path,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> GenerationSummary:
    """:func:`generate` with a chosen chunk size.

    The chunk size decides which people share a random stream, so it is part of the output's identity
    (recorded in the manifest when it differs from the default). Tests use small chunks to exercise
    several chunks and worker processes cheaply.
    """
    started = time.perf_counter()
    chunks = chunk_count(config.people, max(1, chunk_size))
    if chunk_size < 1 or chunks > MAX_CHUNKS:
        raise GeneratorConfigError(
            f"chunk_size {chunk_size} must be positive and give at most {MAX_CHUNKS} chunks (gives {chunks})"
        )
    identity = config.identity()
    if chunk_size != CHUNK_SIZE:
        identity["chunk_size"] = chunk_size
    _prepare(out, identity)
    landing = out / "landing"
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    _write_manifest(truth, identity, None)
    workers = min(config.workers or os.cpu_count() or 1, chunks)
    sink = LandingSink(landing)
    writers = {
        name: pq.ParquetWriter(truth / name, schema, compression="zstd")
        for name, schema in TRUTH_FILES.items()
    }
    rows_by_feed = dict.fromkeys(FEEDS, 0)
    bad_by_feed = dict.fromkeys(FEEDS, 0)
    done = 0
    try:
        for result in _results(identity, chunks, workers):
            records = _number_lines(result, sink)
            for name, table in (
                ("records.parquet", records),
                ("people.parquet", result.people_table),
                ("lifecycle.parquet", result.lifecycle),
                ("hard_negatives.parquet", result.negatives),
            ):
                if table.num_rows:
                    writers[name].write_table(table)
            for feed in FEEDS:
                rows_by_feed[feed] += result.rows_by_feed.get(feed, 0)
                bad_by_feed[feed] += result.bad_by_feed.get(feed, 0)
            done += result.people
            if progress is not None:
                progress(done, config.people)
        sink.flush()
    finally:
        for writer in writers.values():
            writer.close()
    counts = {
        "people": done,
        "records_by_feed": rows_by_feed,
        "bad_rows_by_feed": bad_by_feed,
        "files": sink.files,
        "landing_bytes": sink.bytes,
    }
    _write_manifest(truth, identity, counts)
    return GenerationSummary(
        people=done,
        records_by_feed=rows_by_feed,
        bad_rows_by_feed=bad_by_feed,
        files=sink.files,
        seconds=time.perf_counter() - started,
        landing_bytes=sink.bytes,
        out=out,
        as_of=config.end,
    )


class LandingSink:
    """Appends chunk lines to landing files.

    Lines are buffered across chunks and flushed with one open-append-close per file once the buffer
    holds ``buffer_bytes``, so a file touched by every chunk is not reopened for every chunk.
    """

    def __init__(self, root: Path, buffer_bytes: int = 48_000_000) -> None:
        self.root = root
        self.lines: dict[str, int] = {}
        self.bytes = 0
        self._buffer_bytes = buffer_bytes
        self._pending: dict[str, list[bytes]] = {}
        self._pending_size = 0
        self._created: set[str] = set()
        self._folders: set[Path] = set()

    @property
    def files(self) -> int:
        """Files written so far."""
        return len(self.lines)

    def append(self, group: FileGroup) -> int:
        """Queue a group's lines; returns the line number of its first row."""
        written = self.lines.get(group.path)
        parts = self._pending.setdefault(group.path, [])
        if written is None:
            written = 1 if group.header else 0
            if group.header:
                parts.append(group.header)
                self._pending_size += len(group.header)
        parts.append(group.blob)
        self._pending_size += len(group.blob)
        self.lines[group.path] = written + group.lines
        if self._pending_size >= self._buffer_bytes:
            self.flush()
        return written + 1

    def flush(self) -> None:
        """Write everything queued.

        Creating files and folders costs far more than appending on many file systems; those system
        calls release the GIL, so a few threads overlap them. Every file is written by one task, so the
        result does not depend on the threads' order.
        """
        folders = sorted({(self.root / relative).parent for relative in self._pending} - self._folders)
        for channel in sorted({folder.parent for folder in folders}):
            channel.mkdir(parents=True, exist_ok=True)
        tasks = [
            (relative, b"".join(parts), relative in self._created)
            for relative, parts in self._pending.items()
        ]
        with ThreadPoolExecutor(max_workers=_IO_THREADS) as pool:
            list(pool.map(_make_folder, folders))
            list(pool.map(lambda task: _write(self.root / task[0], task[1], task[2]), tasks))
        self._folders.update(folders)
        for relative, payload, _ in tasks:
            self._created.add(relative)
            self.bytes += len(payload)
        self._pending.clear()
        self._pending_size = 0


def _make_folder(folder: Path) -> None:
    folder.mkdir(exist_ok=True)


def _write(path: Path, payload: bytes, append: bool) -> None:
    with path.open("ab" if append else "wb") as handle:
        handle.write(payload)


def _number_lines(result: ChunkResult, sink: LandingSink) -> pa.Table:
    """Write the chunk's lines and turn its group-local line numbers into file line numbers."""
    firsts = np.fromiter((sink.append(g) for g in result.groups), dtype=np.int64, count=len(result.groups))
    sizes = np.fromiter((g.lines for g in result.groups), dtype=np.int64, count=len(result.groups))
    records = result.records
    local = records.column("line_number").to_numpy()
    numbers = local + np.repeat(firsts, sizes)
    position = records.schema.get_field_index("line_number")
    return records.set_column(position, "line_number", pa.array(numbers, type=pa.int64()))


def _results(identity: dict[str, Any], chunks: int, workers: int) -> Iterator[ChunkResult]:
    """Chunk results in chunk order, with at most one chunk more than workers in flight (flat memory)."""
    if workers <= 1:
        for index in range(chunks):
            yield generate_chunk(identity, index)
        return
    context = mp.get_context("spawn")
    with context.Pool(workers) as pool:
        pending: deque[Any] = deque()
        next_index = 0
        while next_index < chunks and len(pending) < workers + 1:
            pending.append(pool.apply_async(generate_chunk, (identity, next_index)))
            next_index += 1
        while pending:
            result: ChunkResult = pending.popleft().get()
            if next_index < chunks:
                pending.append(pool.apply_async(generate_chunk, (identity, next_index)))
                next_index += 1
            yield result


def _prepare(out: Path, identity: dict[str, Any]) -> None:
    """Refuse a folder holding someone else's landing data; clear one holding ours."""
    landing = out / "landing"
    truth = out / "truth"
    holds_files = landing.is_dir() and any(p.is_file() for p in landing.rglob("*"))
    if holds_files:
        manifest = _read_manifest(truth / MANIFEST)
        expected = json.loads(json.dumps(identity))
        if manifest is None:
            raise OutputFolderError(
                f"{landing} already holds files that were not written by the generator. "
                "Pick another output folder or delete it."
            )
        if manifest.get("config") != expected:
            raise OutputFolderError(
                f"{landing} already holds data generated with a different configuration "
                f"({_difference(manifest.get('config') or {}, expected)}). "
                "Pick another output folder or delete it."
            )
    if landing.exists():
        shutil.rmtree(landing)
    for name in (*TRUTH_FILES, MANIFEST):
        (truth / name).unlink(missing_ok=True)


def _difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return "differs in " + ", ".join(changed) if changed else "unknown differences"


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("generator") == "cdp.generate" else None


def _write_manifest(truth: Path, identity: dict[str, Any], counts: dict[str, Any] | None) -> None:
    """The manifest: config, version and (once finished) the counts. No timings, so it is reproducible."""
    manifest = {
        "generator": "cdp.generate",
        "version": GENERATOR_VERSION,
        "complete": counts is not None,
        "config": identity,
        "counts": counts,
    }
    temporary = truth / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(truth / MANIFEST)
