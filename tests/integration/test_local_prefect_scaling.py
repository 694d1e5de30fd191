"""A local Prefect server with two API worker processes on PostgreSQL and Redis messaging."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings

from adapters.local_prefect import (
    LocalPrefectError,
    PrefectServerOptions,
    prefect_healthy,
    running_local_prefect,
)
from tests.support.databases import temporary_postgres_database
from tests.support.prefect_clients import drain_prefect_clients

REDIS_DB = 11  # a database of its own on the shared Redis, flushed by this test only


@pytest.fixture
def redis_url() -> Iterator[str]:
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    client.flushdb()
    yield f"redis://127.0.0.1:6379/{REDIS_DB}"
    client.flushdb()
    client.close()


def _spawned_workers(group: int) -> list[int]:
    """Processes of this process group that multiprocessing spawned (uvicorn's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[2]) == group and b"multiprocessing.spawn" in cmdline:
            found.append(int(stat.parent.name))
    return found


@flow
def trivial(value: int) -> int:
    return value + 1


async def _final_state(run_id: uuid.UUID) -> str:
    async with get_client() as client:
        run = await client.read_flow_run(run_id)
        assert run.state is not None
        return run.state.type.value


def test_two_api_workers_with_redis_answer_and_run_a_flow(tmp_path: Path, redis_url: str) -> None:
    with temporary_postgres_database("sopflow_prefect") as url:
        asyncpg_url = url.replace("postgresql+psycopg://", "postgresql+asyncpg://")
        with running_local_prefect(
            tmp_path / "prefect", database_url=asyncpg_url, api_workers=2, redis_url=redis_url
        ) as server:
            assert prefect_healthy(server.api_url)
            assert len(_spawned_workers(server.process.pid)) == 2, "expected two API workers"
            assert len(server.extra) == 1 and server.extra[0].poll() is None  # the services
            with temporary_settings({PREFECT_API_URL: server.api_url}):
                state = trivial(41, return_state=True)
                assert state.is_completed() and state.result() == 42
                run_id = state.state_details.flow_run_id
                assert run_id is not None
                assert asyncio.run(_final_state(run_id)) == "COMPLETED"
                drain_prefect_clients()
            assert redis.Redis.from_url(redis_url).dbsize() > 0  # messaging went through Redis


def test_several_workers_need_postgres_and_redis() -> None:
    with pytest.raises(LocalPrefectError, match="need PostgreSQL"):
        PrefectServerOptions(port=1, api_workers=2)
    with pytest.raises(LocalPrefectError, match="need PostgreSQL"):
        PrefectServerOptions(port=1, api_workers=2, database_url="postgresql+asyncpg://x/y")
