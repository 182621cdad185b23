#!/usr/bin/env python3
"""Writes test-vectors/m2m-frame-policy.json.

Small M2M v1 request frames (uncompressed: JSON under 100 bytes) built here from
docs/PROTOCOL.md with Python's standard library and `cryptography`, independent of the SDK, in
all three security modes; then the decoder cases this SDK adds to the reference: the security
policy (a frame weaker than the policy, including a rewritten security byte, is refused),
tampering, and the size and depth limits.
Run: python3 test-vectors/tools/gen_frame_policy.py
"""
import hashlib, hmac, json, os, struct, zlib
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

def f32(x): return struct.unpack('<f', struct.pack('<f', x))[0]
def varint(n):
    out = b''
    while n >= 0x80: out += bytes([(n & 0x7f) | 0x80]); n >>= 7
    return out + bytes([n])
PRICING = [('gpt-4o-mini', 0.015, 0.06), ('gpt-4o', 0.25, 1.0)]
def cost(model, tin, tout):
    i, o = next(((a, b) for p, a, b in PRICING if model.lower().startswith(p)), (0.1, 0.3))
    inp = f32(f32(f32(tin) / 1000) * f32(i)); out = f32(f32(f32(tout) / 1000) * f32(o))
    return f32(f32(inp + out) / 100)
ROLES = {'system': 0, 'developer': 0, 'user': 1, 'assistant': 2, 'tool': 3}

def request_frame(text, security=0, key=None, nonce=None):
    j = json.loads(text)
    assert len(text.encode()) < 100
    model = j.get('model', '')
    msgs = j.get('messages', [])
    roles = [ROLES[m['role']] for m in msgs]
    hint = sum(len(m['content'].encode()) for m in msgs)
    flags = 0
    max_tokens = None
    if 'max_tokens' in j: flags |= 0x40; max_tokens = j['max_tokens']
    rb = bytearray((2 * len(roles) + 7) // 8)
    for i, r in enumerate(roles): rb[i >> 2] |= r << (2 * (i & 3))
    var = bytes([len(model.encode())]) + model.encode() + varint(len(msgs)) + bytes(rb) + varint(hint)
    if max_tokens is not None: var += varint(max_tokens)
    var += struct.pack('<f', cost(model, hint // 4, max_tokens if max_tokens is not None else 500))
    fixed = struct.pack('<HBBHBB', 20 + len(var), 1, security, flags, 0, 0) + bytes(12)
    payload = text.encode()
    section = struct.pack('<II', len(payload), zlib.crc32(payload))
    headers = fixed + var
    if security == 0: return b'#M2M|1|' + headers + section + payload
    if security == 1:
        body = headers + section + payload
        return b'#M2M|1|' + body + hmac.new(key, body, hashlib.sha256).digest()
    sealed = ChaCha20Poly1305(key).encrypt(nonce, section + payload, headers)
    return b'#M2M|1|' + headers + nonce + sealed

JSON = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"max_tokens":50}'
KEY = bytes(range(32))
NONCE = bytes(range(100, 112))
plain = request_frame(JSON)
hm = request_frame(JSON, 1, KEY)
ae = request_frame(JSON, 2, KEY, NONCE)
def flip(b, i): c = bytearray(b); c[i] ^= 1; return bytes(c)
def setb(b, i, v): c = bytearray(b); c[i] = v; return bytes(c)

hmac_opt = {"protection": {"mode": "hmac", "key_hex": KEY.hex()}}
aead_opt = {"protection": {"mode": "aead", "key_hex": KEY.hex()}}
cases = [
    {"name": "plain frame, policy none", "frame_hex": plain.hex(), "options": {"minSecurity": "none"}, "expect": {"payload": JSON}},
    {"name": "plain frame, no options (default policy none)", "frame_hex": plain.hex(), "options": {}, "expect": {"payload": JSON}},
    {"name": "hmac frame", "frame_hex": hm.hex(), "options": hmac_opt, "expect": {"payload": JSON}},
    {"name": "aead frame", "frame_hex": ae.hex(), "options": aead_opt, "expect": {"payload": JSON}},
    {"name": "plain frame under an hmac key: weaker than the policy", "frame_hex": plain.hex(), "options": hmac_opt, "expect": {"error_code": "SECURITY_DOWNGRADE"}},
    {"name": "plain frame under an aead key", "frame_hex": plain.hex(), "options": aead_opt, "expect": {"error_code": "SECURITY_DOWNGRADE"}},
    {"name": "hmac frame with its security byte rewritten to none", "frame_hex": setb(hm, 10, 0).hex(), "options": hmac_opt, "expect": {"error_code": "SECURITY_DOWNGRADE"}},
    {"name": "aead frame with its security byte rewritten to hmac", "frame_hex": setb(ae, 10, 1).hex(), "options": aead_opt, "expect": {"error_code": "SECURITY_DOWNGRADE"}},
    {"name": "hmac frame with an explicit hmac policy", "frame_hex": hm.hex(), "options": {**hmac_opt, "minSecurity": "hmac"}, "expect": {"payload": JSON}},
    {"name": "hmac frame, payload bit flipped", "frame_hex": flip(hm, len(hm) - 40).hex(), "options": hmac_opt, "expect": {"error_code": "CRYPTO_ERROR", "cause_code": "HMAC_VERIFICATION_FAILED"}},
    {"name": "aead frame, header bit flipped (headers are associated data)", "frame_hex": flip(ae, 30).hex(), "options": aead_opt, "expect": {"error_code": "CRYPTO_ERROR", "cause_code": "AEAD_DECRYPTION_FAILED"}},
    {"name": "aead frame, wrong key", "frame_hex": ae.hex(), "options": {"protection": {"mode": "aead", "key_hex": bytes(32).hex()}}, "expect": {"error_code": "CRYPTO_ERROR", "cause_code": "AEAD_DECRYPTION_FAILED"}},
    {"name": "frame larger than maxMessageBytes", "frame_hex": plain.hex(), "options": {"minSecurity": "none", "limits": {"maxMessageBytes": len(plain) - 1}}, "expect": {"error_code": "LIMIT_EXCEEDED"}},
    {"name": "frame exactly maxMessageBytes", "frame_hex": plain.hex(), "options": {"minSecurity": "none", "limits": {"maxMessageBytes": len(plain)}}, "expect": {"payload": JSON}},
    {"name": "payload larger than maxDecompressedBytes", "frame_hex": plain.hex(), "options": {"minSecurity": "none", "limits": {"maxDecompressedBytes": len(JSON) - 1}}, "expect": {"error_code": "LIMIT_EXCEEDED"}},
]
deep = '{"model":"x","messages":[],"a":' + '[' * 40 + ']' * 40 + '}'
encode_cases = [
    {"name": "plain request", "json": JSON, "expect": {"frame_hex": plain.hex()}},
    {"name": "hmac request", "json": JSON, "protection": hmac_opt["protection"], "expect": {"frame_hex": hm.hex()}},
    {"name": "aead request with the given nonce", "json": JSON, "protection": {**aead_opt["protection"], "nonce_hex": NONCE.hex()}, "expect": {"frame_hex": ae.hex()}},
    {"name": "JSON nested deeper than 32", "json": deep, "expect": {"error_code": "LIMIT_EXCEEDED"}},
    {"name": "JSON nested deeper than a custom 8", "json": '{"model":"x","messages":[[[[[[[[[]]]]]]]]]}', "limits": {"maxJsonDepth": 8}, "expect": {"error_code": "LIMIT_EXCEEDED"}},
    {"name": "message over maxMessageBytes", "json": JSON, "limits": {"maxMessageBytes": 10}, "expect": {"error_code": "LIMIT_EXCEEDED"}},
]
out = {"format": "m2m-frame-policy/1",
       "description": "M2M v1 frames built from docs/PROTOCOL.md by tools/gen_frame_policy.py (independent of the SDK), and what decodeFrame/encodeFrame must do with them under a security policy and limits. options: protection {mode, key_hex, nonce_hex?}, minSecurity, limits. expect: payload (the JSON), frame_hex, or error_code (with cause_code for the wrapped crypto error).",
       "cases": cases, "encode_cases": encode_cases}
path = os.path.join(os.path.dirname(__file__), '..', 'm2m-frame-policy.json')
with open(path, 'w') as fh:
    json.dump(out, fh, indent=1); fh.write('\n')
print('wrote', len(cases), 'decode and', len(encode_cases), 'encode cases to', os.path.normpath(path))
