"""lucid's MCP tools driven by the official `mcp` Python SDK (a real MCP client).

    test_mcp.py stdio   LUCID_BIN, LUCID_STORE: spawns `lucid mcp --store DIR`
    test_mcp.py http    LUCID_URL, LUCID_API_KEY, LUCID_STORE_ID, LUCID_OTHER_API_KEY,
                        LUCID_OTHER_STORE_ID: `lucid serve`'s /mcp endpoint
    test_mcp.py stdio-server   LUCID_BIN, LUCID_URL, LUCID_API_KEY, LUCID_STORE_ID: spawns
                        `lucid mcp --server URL --memory-store-id ID` (the REST-client backend)

Prints "MCP OK" when every check passed; any failure raises (non-zero exit).
"""

import asyncio
import os
import sys

from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

EXPECTED_TOOLS = {
    "memory_view",
    "memory_create",
    "memory_str_replace",
    "memory_insert",
    "memory_delete",
    "memory_rename",
    "memory_search",
}


def is_error(result):
    return bool(getattr(result, "is_error", getattr(result, "isError", False)))


def text(result):
    return "".join(getattr(c, "text", "") for c in result.content)


def structured(result):
    return getattr(result, "structured_content", getattr(result, "structuredContent", None))


async def call(session, name, **arguments):
    return await session.call_tool(name, arguments)


async def exercise(session, dreams):
    await session.initialize()
    tools = {t.name: t for t in (await session.list_tools()).tools}
    expected = EXPECTED_TOOLS | ({"dream_create", "dream_status"} if dreams else set())
    assert set(tools) == expected, sorted(tools)
    for tool in tools.values():
        schema = getattr(tool, "input_schema", getattr(tool, "inputSchema", None))
        assert schema["type"] == "object" and tool.description, tool.name

    # create, then a second create of the same path is a tool error
    r = await call(session, "memory_create", path="/memories/infra.md",
                   file_text="# Infra\n- The production database is db-2.internal\n- Deploys are slow\n- Deploys are slow\n")
    assert not is_error(r), text(r)
    r = await call(session, "memory_create", path="/infra.md", file_text="x")
    assert is_error(r) and "already exists" in text(r), text(r)

    # str_replace: a duplicate match names the count, a unique one applies
    r = await call(session, "memory_str_replace", path="/infra.md", old_str="Deploys are slow", new_str="x")
    assert is_error(r) and "appears 2 times" in text(r), text(r)
    r = await call(session, "memory_str_replace", path="/infra.md", old_str="db-2.internal", new_str="db-3.internal")
    assert not is_error(r), text(r)
    r = await call(session, "memory_view", path="/infra.md")
    assert "     2\t- The production database is db-3.internal" in text(r), text(r)

    # search: identifier whole and by part, with path and line
    r = await call(session, "memory_search", query="db-3.internal")
    assert not is_error(r), text(r)
    results = structured(r)["results"]
    assert results[0]["path"] == "/infra.md" and results[0]["line"] == 2, results
    r = await call(session, "memory_search", query="internal")
    assert structured(r)["results"][0]["line"] == 2, text(r)

    # paths outside the store are tool errors, and the session keeps working
    r = await call(session, "memory_view", path="../../etc/passwd")
    assert is_error(r) and ".." in text(r), text(r)

    # delete
    r = await call(session, "memory_delete", path="/infra.md")
    assert not is_error(r), text(r)
    r = await call(session, "memory_view", path="/infra.md")
    assert is_error(r) and "does not exist" in text(r), text(r)
    r = await call(session, "memory_search", query="db-3.internal")
    assert structured(r)["results"] == [], text(r)


async def stdio():
    store = os.environ["LUCID_STORE"]
    params = StdioServerParameters(command=os.environ["LUCID_BIN"], args=["mcp", "--store", store],
                                   env={"LUCID_LOG": "warn"})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await exercise(session, dreams=False)
    # the folder holds no leftovers (temporary files) after the round trip
    assert os.listdir(store) == [], os.listdir(store)


async def stdio_server():
    params = StdioServerParameters(
        command=os.environ["LUCID_BIN"],
        args=["mcp", "--server", os.environ["LUCID_URL"], "--memory-store-id", os.environ["LUCID_STORE_ID"]],
        env={"LUCID_LOG": "warn", "LUCID_API_KEY": os.environ["LUCID_API_KEY"]},
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await exercise(session, dreams=True)
            r = await call(session, "memory_view", path="/")
            assert "/kept.md" in text(r), text(r)


def http_session_factory(url, key):
    import httpx2 as httpx  # the SDK's HTTP client (mcp 2.x)
    from mcp.client.streamable_http import streamable_http_client

    client = httpx.AsyncClient(headers={"x-api-key": key}, timeout=30)
    return client, streamable_http_client(url, http_client=client)


async def http():
    base = os.environ["LUCID_URL"].rstrip("/")
    key, store = os.environ["LUCID_API_KEY"], os.environ["LUCID_STORE_ID"]
    other_key, other_store = os.environ["LUCID_OTHER_API_KEY"], os.environ["LUCID_OTHER_STORE_ID"]

    client, transport = http_session_factory(f"{base}/mcp?memory_store_id={store}", key)
    async with client, transport as streams:
        async with ClientSession(streams[0], streams[1],
                                 client_info=types.Implementation(name="mcp-sdk-test", version="1")) as session:
            await exercise(session, dreams=True)
            # a store nobody has used yet has no sessions to dream over: a tool error that says so
            r = await call(session, "dream_create", sessions=5)
            assert is_error(r) and "no sessions" in text(r), text(r)
            r = await call(session, "dream_status", dream_id="drm_missing")
            assert is_error(r) and "not found" in text(r), text(r)
            r = await call(session, "memory_create", path="/kept.md", file_text="- kept by workspace a\n")
            assert not is_error(r), text(r)

    # workspace b's key cannot reach workspace a's store, whichever way it asks
    client, transport = http_session_factory(f"{base}/mcp?memory_store_id={store}", other_key)
    async with client, transport as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            r = await call(session, "memory_view", path="/kept.md")
            assert is_error(r) and "not found" in text(r), text(r)
            r = await call(session, "memory_search", query="kept")
            assert is_error(r), text(r)
    client, transport = http_session_factory(f"{base}/mcp?memory_store_id={other_store}", other_key)
    async with client, transport as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            r = await call(session, "memory_search", query="kept")
            assert not is_error(r) and structured(r)["results"] == [], text(r)

    # without a key there is no MCP session at all
    client, transport = http_session_factory(f"{base}/mcp?memory_store_id={store}", "wrong-key")
    try:
        async with client, transport as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await asyncio.wait_for(session.initialize(), 10)
        raise AssertionError("a bad key opened an MCP session")
    except AssertionError:
        raise
    except BaseException:  # the SDK raises (an exception group) on the 401
        pass


if __name__ == "__main__":
    mode = sys.argv[1]
    runs = {"stdio": stdio, "http": http, "stdio-server": stdio_server}
    asyncio.run(runs[mode]())
    print("MCP OK")
