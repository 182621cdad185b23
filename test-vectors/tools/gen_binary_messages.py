#!/usr/bin/env python3
"""Writes test-vectors/m2m-binary-messages.json.

An encoder for the `binary` message codec written from docs/PROTOCOL.md alone (plain Python,
no MessagePack library, no SDK code), so the vectors check the TypeScript codec against the
specification rather than against itself. Run: python3 test-vectors/tools/gen_binary_messages.py
"""
import json, struct, os
from msgpack_min import enc

TYPES = ['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE', 'AUTH']
ALGOS = ['none', 'm2m', 'tokennative', 'brotli']
ENCODINGS = ['Cl100kBase', 'O200kBase', 'LlamaBpe', 'Heuristic']
REJECTIONS = ['VERSION_MISMATCH', 'NO_COMMON_ALGORITHM', 'SECURITY_POLICY', 'RATE_LIMITED', 'SERVER_BUSY', 'UNKNOWN']
REASONS = ['NORMAL', 'TIMEOUT', 'ERROR', 'CLIENT_SHUTDOWN', 'SERVER_SHUTDOWN']
TS = 1705520400000

def caps_json(agent, algos, ext=None, model=None):
    return {"version": "3.0", "agent_id": agent, "agent_type": "m2m-ts",
            "compression": {"algorithms": algos, "max_payload": 0, "streaming": True, "ml_routing": False,
                            "encodings": ["Cl100kBase", "O200kBase"], "preferred_encoding": "Cl100kBase"},
            "security": {"threat_detection": False, "model_version": model, "blocking_mode": False, "block_threshold": 0.8},
            "extensions": ext or {}}

def caps_arr(c):
    k, s = c['compression'], c['security']
    return [0, c['version'], c['agent_id'], c['agent_type'], [ALGOS.index(a) for a in k['algorithms']], k['max_payload'],
            k['streaming'], k['ml_routing'], [ENCODINGS.index(e) for e in k['encodings']], ENCODINGS.index(k['preferred_encoding']),
            s['threat_detection'], s['model_version'], s['blocking_mode'], s['block_threshold'], c['extensions']]

def msg(t, sid, payload_json, payload_arr):
    j = {"type": t}
    if sid is not None: j["session_id"] = sid
    if payload_json is not None: j["payload"] = payload_json
    j["timestamp"] = TS
    return j, [TYPES.index(t), sid, TS, payload_arr]

cases = []
def add(name, t, sid, pj, pa, content_binary=False):
    j, a = msg(t, sid, pj, pa)
    case = {"name": name, "json": json.dumps(j, separators=(',', ':')), "binary_hex": enc(a).hex()}
    if content_binary: case["content_binary"] = True
    cases.append(case)

c = caps_json("client-agent", ["m2m", "tokennative", "brotli", "none"])
add("hello", "HELLO", None, c, caps_arr(c))
c2 = caps_json("server-agent", ["brotli", "none"], {"region": "eu"}, "1.0")
add("accept", "ACCEPT", "sess-0001", c2, caps_arr(c2))
add("reject_server_busy", "REJECT", None, {"code": "SERVER_BUSY", "message": "server at capacity", "retry_after_ms": 1500}, [1, REJECTIONS.index('SERVER_BUSY'), "server at capacity", 1500])
add("reject_version", "REJECT", None, {"code": "VERSION_MISMATCH", "message": "Version 4.0 not compatible with 3.0"}, [1, 0, "Version 4.0 not compatible with 3.0", None])
import base64
FRAME_TEXT = "#M2M|1|IgABAAAAAAAAAAAAAAAAAAAAAAAGZ3B0LTRvAQECCtejOz4AAABuYFWkeyJtb2RlbCI6ImdwdC00byIsIm1lc3NhZ2VzIjpbeyJyb2xlIjoidXNlciIsImNvbnRlbnQiOiJIaSJ9XX0="
# §4.2: an M2M frame travels as bin, the frame's own bytes (`#M2M|1|` and the rest); in the json
# codec the same content is the frame's text form.
FRAME = FRAME_TEXT[:7].encode() + base64.b64decode(FRAME_TEXT[7:])
add("data_m2m", "DATA", "sess-0001", {"algorithm": "m2m", "content": FRAME_TEXT}, [2, 1, FRAME, None, None], content_binary=True)
# The shape before frames travelled as bytes: the text form as str, still read.
add("data_m2m_text", "DATA", "sess-0001", {"algorithm": "m2m", "content": FRAME_TEXT}, [2, 1, FRAME_TEXT, None, None])
# §7.3: a sealed control message's content is nonce (kind 1) ‖ ciphertext ‖ tag as bin; base64 in the json codec.
SEALED = bytes([1, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]) + bytes([0x5a, 0xa5]) + bytes(range(16))
add("ping_sealed", "PING", "s", {"algorithm": "m2m", "content": base64.b64encode(SEALED).decode()}, [2, 1, SEALED, None, None], content_binary=True)
add("data_security", "DATA", "s", {"algorithm": "tokennative", "content": "#TK|C|sk0L/Q4A", "original_size": 13, "security_status": {"scanned": True, "safe": False, "threat_type": "PROMPT_INJECTION", "confidence": 0.95}},
    [2, 2, "#TK|C|sk0L/Q4A", 13, [True, False, "PROMPT_INJECTION", 0.95]])
add("ping", "PING", "s", {}, [4])
add("pong_no_payload", "PONG", "s", None, None)
add("close_timeout", "CLOSE", "s", {"reason": "TIMEOUT", "message": "3 PINGs unanswered"}, [3, REASONS.index('TIMEOUT'), "3 PINGs unanswered"])

e_pub = bytes(range(32))
add("hello_handshake", "HELLO", None, {"protocol": "Noise_XX_25519_ChaChaPoly_SHA256", "message": base64.b64encode(e_pub + b'caps').decode()}, [5, "Noise_XX_25519_ChaChaPoly_SHA256", e_pub + b'caps'])
add("auth", "AUTH", "sess-0001", {"message": base64.b64encode(bytes(64)).decode()}, [5, None, bytes(64)])

ping = enc([4, "s", TS, [4]])
invalid = [
    {"name": "trailing byte", "binary_hex": (ping + b'\xc0').hex(), "reason_contains": "trailing bytes"},
    {"name": "truncated", "binary_hex": ping[:-2].hex(), "reason_contains": "malformed MessagePack"},
    {"name": "unknown message type 8", "binary_hex": enc([8, "s", TS, [4]]).hex(), "reason_contains": "unknown message type 8"},
    {"name": "handshake message not binary", "binary_hex": enc([0, None, TS, [5, "Noise_XX_25519_ChaChaPoly_SHA256", "not bytes"]]).hex(), "reason_contains": "handshake message must be binary"},
    {"name": "timestamp as string", "binary_hex": enc([4, "s", "1705520400000", [4]]).hex(), "reason_contains": "timestamp must be an unsigned integer"},
    {"name": "session id as number", "binary_hex": enc([4, 5, TS, [4]]).hex(), "reason_contains": "session_id must be a string"},
    {"name": "five elements", "binary_hex": enc([4, "s", TS, [4], None]).hex(), "reason_contains": "message must have 4 elements"},
    {"name": "a map instead of an array", "binary_hex": enc({"type": 4}).hex(), "reason_contains": "message must be an array"},
    {"name": "unknown payload kind", "binary_hex": enc([4, "s", TS, [9]]).hex(), "reason_contains": "unknown payload kind 9"},
    {"name": "DATA content neither str nor bin", "binary_hex": enc([3, "s", TS, [2, 1, 5, None, None]]).hex(), "reason_contains": "content must be a string or binary"},
    {"name": "unknown algorithm", "binary_hex": enc([3, "s", TS, [2, 9, "x", None, None]]).hex(), "reason_contains": "unknown algorithm 9"},
    {"name": "unknown rejection code", "binary_hex": enc([2, None, TS, [1, 6, "m", None]]).hex(), "reason_contains": "unknown rejection code 6"},
    {"name": "capabilities too short", "binary_hex": enc([0, None, TS, caps_arr(c)[:-1]]).hex(), "reason_contains": "capabilities must have 15 elements"},
    {"name": "boolean as integer", "binary_hex": enc([0, None, TS, caps_arr(c)[:6] + [1] + caps_arr(c)[7:]]).hex(), "reason_contains": "streaming must be a boolean"},
    {"name": "reserved byte 0xc1", "binary_hex": "c1", "reason_contains": "reserved byte 0xc1"},
    # Declared lengths are checked against the bytes actually left before anything is allocated.
    {"name": "25 nested array32 headers claiming 27,042,091 elements each (125 bytes)", "binary_hex": (b'\xdd\x01\x9c\xa1\x2b' * 25).hex(), "reason_contains": "declares 27042091 entries"},
    {"name": "map32 claiming 2^32-1 entries", "binary_hex": "df" + "ffffffff" + "a1" + "61" + "c0", "reason_contains": "declares 4294967295 entries"},
    {"name": "str32 longer than the input", "binary_hex": "94" + "04" + "db" + "ffffffff" + "73", "reason_contains": "needs 4294967295 bytes"},
    {"name": "bin32 longer than the input", "binary_hex": "94" + "00" + "c0" + "00" + "93" + "05" + "c0" + "c6" + "7fffffff", "reason_contains": "needs 2147483647 bytes"},
    {"name": "extension type (fixext 1, msgpackr's record marker)", "binary_hex": "94" + "04" + "d4" + "72" + "00", "reason_contains": "extension type 0xd4"},
    {"name": "extension type (ext8)", "binary_hex": "c7" + "01" + "ff" + "00", "reason_contains": "extension type 0xc7"},
    {"name": "map key that is not a string", "binary_hex": enc([0, None, TS, caps_arr(c)[:14] + [{}]])[:-1].hex() + "81" + "01" + "a1" + "78", "reason_contains": "is not a string"},
    {"name": "invalid UTF-8 in a string", "binary_hex": "94" + "04" + "a2" + "c3" + "28" + "00" + "91" + "04", "reason_contains": "invalid UTF-8"},
]
out = {"format": "m2m-binary-messages/1",
       "description": "The binary message codec (docs/PROTOCOL.md §4.2): each case's json is the same message in the json codec; binary_hex is its MessagePack encoding. Decoding binary_hex gives the message of json; encoding that message gives binary_hex. With content_binary, the DATA content travels as bin: json holds its text form (an M2M frame's `#M2M|1|` text, other bytes as base64), which the message holds as bytes before encoding. Each invalid case must be refused with InvalidMessage whose reason contains reason_contains. Generated by tools/gen_binary_messages.py, an encoder independent of the SDK.",
       "cases": cases, "invalid": invalid}
path = os.path.join(os.path.dirname(__file__), '..', 'm2m-binary-messages.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
print('wrote', len(cases), 'cases and', len(invalid), 'invalid cases to', os.path.normpath(path))
