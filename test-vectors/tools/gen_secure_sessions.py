#!/usr/bin/env python3
"""Writes test-vectors/m2m-secure-sessions.json.

The encrypted-session handshake (docs/PROTOCOL.md, Encrypted sessions) computed by a small
Noise implementation written here from the Noise specification (revision 34) on Python's
`cryptography` package, independent of the SDK: Noise messages for XX and IK with fixed keys,
the capability payloads, handshake hash, transport keys, and transport frames with the SDK's
counter nonces, including one after a rekey; and the message binding (docs/PROTOCOL.md §7.3):
the fields of a DATA or sealed control message outside its frame, encoded as the binary codec's
MessagePack with the content emptied and appended to the frame's associated data, including the
key confirmation (AUTH) that ends a two-message handshake.
Run: python3 test-vectors/tools/gen_secure_sessions.py
"""
import hashlib, hmac, json, os, struct
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives import serialization
from msgpack_min import enc

RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw

def pub(secret): return X25519PrivateKey.from_private_bytes(secret).public_key().public_bytes(*RAW)
def dh(secret, public): return X25519PrivateKey.from_private_bytes(secret).exchange(X25519PublicKey.from_public_bytes(public))
def H(b): return hashlib.sha256(b).digest()
def mac(k, d): return hmac.new(k, d, hashlib.sha256).digest()
def hkdf(ck, ikm, n):
    t = mac(ck, ikm); o1 = mac(t, b'\x01'); o2 = mac(t, o1 + b'\x02')
    return (o1, o2) if n == 2 else (o1, o2, mac(t, o2 + b'\x03'))
def noise_nonce(n): return b'\x00' * 4 + struct.pack('<Q', n)

class Cipher:
    def __init__(self, k=None): self.k, self.n = k, 0
    def enc(self, ad, pt):
        if self.k is None: return pt
        out = ChaCha20Poly1305(self.k).encrypt(noise_nonce(self.n), pt, ad); self.n += 1; return out
    def dec(self, ad, ct):
        if self.k is None: return ct
        out = ChaCha20Poly1305(self.k).decrypt(noise_nonce(self.n), ct, ad); self.n += 1; return out

class Symmetric:
    def __init__(self, name):
        self.h = name.ljust(32, b'\x00') if len(name) <= 32 else H(name)
        self.ck, self.c = self.h, Cipher()
    def mix_hash(self, d): self.h = H(self.h + d)
    def mix_key(self, ikm): self.ck, k = hkdf(self.ck, ikm, 2); self.c = Cipher(k)
    def enc_hash(self, pt): ct = self.c.enc(self.h, pt); self.mix_hash(ct); return ct
    def dec_hash(self, ct): pt = self.c.dec(self.h, ct); self.mix_hash(ct); return pt
    def split(self): return hkdf(self.ck, b'', 2)

PATTERNS = {
    'XX': ([], [['e'], ['e', 'ee', 's', 'es'], ['s', 'se']]),
    'IK': (['rs'], [['e', 'es', 's', 'ss'], ['e', 'ee', 'se']]),
}

def handshake(pattern, i_s, r_s, i_e, r_e, payloads, prologue):
    name = f'Noise_{pattern}_25519_ChaChaPoly_SHA256'.encode()
    si, sr = Symmetric(name), Symmetric(name)
    for s in (si, sr): s.mix_hash(prologue)
    pre, msgs = PATTERNS[pattern]
    if 'rs' in pre:
        for s in (si, sr): s.mix_hash(pub(r_s))
    keys = {'i': {'s': i_s, 'e': i_e}, 'r': {'s': r_s, 'e': r_e}}
    out = []
    for n, tokens in enumerate(msgs):
        w, r = ('i', 'r') if n % 2 == 0 else ('r', 'i')
        sw, sr_ = (si, sr) if w == 'i' else (sr, si)
        buf = b''
        for t in tokens:
            if t == 'e':
                p = pub(keys[w]['e']); buf += p; sw.mix_hash(p)
            elif t == 's':
                buf += sw.enc_hash(pub(keys[w]['s']))
            else:
                a, b = t[0], t[1]
                # token letters name the initiator's key first: es = DH(i.e, r.s)
                iw = keys['i'][a]; rw = pub(keys['r'][b])
                sw.mix_key(dh(iw, rw))
        buf += sw.enc_hash(payloads[n])
        out.append(buf)
        # the reader processes the same message
        pos = 0
        for t in tokens:
            if t == 'e':
                p = buf[pos:pos + 32]; pos += 32; sr_.mix_hash(p)
            elif t == 's':
                ln = 48 if sr_.c.k is not None else 32
                sr_.dec_hash(buf[pos:pos + ln]); pos += ln
            else:
                a, b = t[0], t[1]
                sr_.mix_key(dh(keys['i'][a], pub(keys['r'][b])))
        assert sr_.dec_hash(buf[pos:]) == payloads[n]
    assert si.h == sr.h
    c1, c2 = si.split()
    return out, si.h, c1, c2

def rekey(k): return ChaCha20Poly1305(k).encrypt(b'\x00' * 4 + b'\xff' * 8, bytes(32), b'')[:32]
def sdk_nonce(kind, epoch, counter): return bytes([kind]) + struct.pack('<I', epoch)[:3] + struct.pack('<Q', counter)

ALGOS = ['none', 'm2m', 'tokennative', 'brotli']
REASONS = ['NORMAL', 'TIMEOUT', 'ERROR', 'CLIENT_SHUTDOWN', 'SERVER_SHUTDOWN']
TYPES = ['HELLO', 'ACCEPT', 'REJECT', 'DATA', 'PING', 'PONG', 'CLOSE', 'AUTH']

def binding(msg):
    """§7.3: [type, session_id | nil, timestamp, [2, algorithm, "", original_size | nil, status | nil]] as MessagePack."""
    p = msg['payload']
    st = p.get('security_status')
    status = None if st is None else [st['scanned'], st['safe'], st.get('threat_type'), st.get('confidence')]
    return enc([TYPES.index(msg['type']), msg.get('session_id'), msg['timestamp'], [2, ALGOS.index(p['algorithm']), '', p.get('original_size'), status]])
def caps_arr(agent, algos):
    return [0, '3.0', agent, 'm2m-ts', [ALGOS.index(a) for a in algos], 0, True, False, [0, 1], 0, False, None, False, 0.8, {}]

PROLOGUE = b'M2M-session/1'
k = lambda b: bytes([b] * 32)
client_s, server_s, client_e, server_e = k(1), k(2), k(3), k(4)
client_caps = caps_arr('client-agent', ['m2m', 'tokennative', 'brotli', 'none'])
server_caps = caps_arr('server-agent', ['m2m', 'brotli', 'none'])
sid = 'sess-0001'
cases = []
for pattern in ['XX', 'IK']:
    payloads = [enc(client_caps), enc([sid, server_caps])] + ([b''] if pattern == 'XX' else [])
    msgs, h, c1, c2 = handshake(pattern, client_s, server_s, client_e, server_e, payloads, PROLOGUE)
    aad = bytes.fromhex('22000102000000000000000000000000000000000000000000')  # a header block, 25 bytes
    pt = b'\x05\x00\x00\x00\x11\x22\x33\x44hello'
    frames = []
    for kind, epoch, counter, key in [(0, 0, 0, c1), (1, 0, 1, c1), (0, 1, 7, rekey(c1))]:
        nonce = sdk_nonce(kind, epoch, counter)
        frames.append({"direction": "client->server", "kind": kind, "epoch": epoch, "counter": counter, "aad_hex": aad.hex(), "plaintext_hex": pt.hex(),
                       "sealed_hex": (nonce + ChaCha20Poly1305(key).encrypt(nonce, pt, aad)).hex()})
    nonce = sdk_nonce(0, 0, 0)
    frames.append({"direction": "server->client", "kind": 0, "epoch": 0, "counter": 0, "aad_hex": aad.hex(), "plaintext_hex": pt.hex(), "sealed_hex": (nonce + ChaCha20Poly1305(c2).encrypt(nonce, pt, aad)).hex()})
    # Bound messages: the frame's AAD is the header block followed by the message binding.
    bound = []
    ts = 1705520400000
    first = 0
    if pattern == 'IK':
        # Two-message pattern: the client's first transport frame is the AUTH key confirmation.
        auth = {"type": "AUTH", "session_id": sid, "timestamp": ts, "payload": {"algorithm": "m2m", "content": ""}}
        bound.append((auth, 1, 0))
        first = 1
    data = {"type": "DATA", "session_id": sid, "timestamp": ts + 1, "payload": {"algorithm": "m2m", "content": "", "original_size": 13,
            "security_status": {"scanned": True, "safe": False, "threat_type": "prompt_injection", "confidence": 0.75}}}
    plain = {"type": "DATA", "session_id": sid, "timestamp": ts + 2, "payload": {"algorithm": "m2m", "content": ""}}
    bound += [(data, 0, first), (plain, 0, first + 1)]
    data_messages = []
    for msg, kind, counter in bound:
        b = binding(msg)
        nonce = sdk_nonce(kind, 0, counter)
        # A control message (AUTH) is sealed without an M2M frame: its associated data is the binding alone.
        a, p = (aad + b, pt) if kind == 0 else (b, enc([4]))
        data_messages.append({"direction": "client->server", "kind": kind, "epoch": 0, "counter": counter, "message": msg, "binding_hex": b.hex(),
                              "aad_hex": a.hex(), "plaintext_hex": p.hex(), "sealed_hex": (nonce + ChaCha20Poly1305(c1).encrypt(nonce, p, a)).hex()})
    # Sealed control messages (§7.3), whole: the message keeps its type; its payload is the data shape
    # [2, m2m, nonce ‖ ciphertext ‖ tag, nil, nil], sealed (control kind) over the message's own payload
    # as MessagePack, with the binding as associated data. Counters from 0 on a fresh channel.
    controls = ([('AUTH', None)] if pattern == 'IK' else []) + [('PING', None), ('CLOSE', ('CLIENT_SHUTDOWN', 'done'))]
    control_messages = []
    for counter, (t, close) in enumerate(controls):
        ts_c = ts + 10 + counter
        inner = [4] if close is None else [3, REASONS.index(close[0]), close[1]]
        b = enc([TYPES.index(t), sid, ts_c, [2, 1, '', None, None]])
        nonce = sdk_nonce(1, 0, counter)
        sealed = nonce + ChaCha20Poly1305(c1).encrypt(nonce, enc(inner), b)
        plain_json = {"type": t, "session_id": sid, "timestamp": ts_c, "payload": {} if close is None else {"reason": close[0], "message": close[1]}}
        control_messages.append({"direction": "client->server", "counter": counter, "message": plain_json, "binding_hex": b.hex(), "plaintext_hex": enc(inner).hex(),
                                 "message_hex": enc([TYPES.index(t), sid, ts_c, [2, 1, sealed, None, None]]).hex()})
    cases.append({
        "name": f"{pattern} with fixed keys", "pattern": pattern, "protocol": f"Noise_{pattern}_25519_ChaChaPoly_SHA256", "prologue_hex": PROLOGUE.hex(),
        "client_static_secret_hex": client_s.hex(), "server_static_secret_hex": server_s.hex(),
        "client_ephemeral_secret_hex": client_e.hex(), "server_ephemeral_secret_hex": server_e.hex(),
        "session_id": sid, "client_capabilities_hex": enc(client_caps).hex(), "accept_payload_hex": payloads[1].hex(),
        "messages_hex": [m.hex() for m in msgs], "handshake_hash_hex": h.hex(),
        "client_send_key_hex": c1.hex(), "server_send_key_hex": c2.hex(), "client_send_key_after_rekey_hex": rekey(c1).hex(),
        "frames": frames,
        "data_messages": data_messages,
        "control_messages": control_messages,
    })
out = {"format": "m2m-secure-sessions/1",
       "description": "Encrypted-session handshakes (docs/PROTOCOL.md, Encrypted sessions): Noise messages carried by HELLO, ACCEPT and AUTH for fixed keys, the capability payloads, the handshake hash, the transport keys after Split and after one Noise Rekey, AEAD transport frames with the SDK's nonce (kind, epoch u24 LE, counter u64 LE), and bound messages (data_messages): each message's binding (MessagePack of [type, session_id, timestamp, [2, algorithm, '', original_size, security_status]]) appended to the frame header block as associated data; in IK the first is the AUTH key confirmation (control kind, counter 0, associated data the binding alone); and sealed control messages (control_messages), whole: message_hex is the binary-codec message whose payload is [2, m2m, nonce ‖ ciphertext ‖ tag, nil, nil], sealed from counter 0 on a fresh channel over plaintext_hex (the message's own payload as MessagePack) with binding_hex as associated data; opening it gives message. Generated by tools/gen_secure_sessions.py, a Noise implementation independent of the SDK.",
       "cases": cases}
path = os.path.join(os.path.dirname(__file__), '..', 'm2m-secure-sessions.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1); f.write('\n')
print('wrote', len(cases), 'cases to', os.path.normpath(path))
