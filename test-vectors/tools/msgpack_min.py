"""The subset of MessagePack the binary message codec uses, written from the MessagePack spec."""
import struct


def enc(v):
    if v is None: return b'\xc0'
    if v is False: return b'\xc2'
    if v is True: return b'\xc3'
    if isinstance(v, float) and v.is_integer(): v = int(v)
    if isinstance(v, int):
        assert v >= 0
        if v <= 0x7f: return bytes([v])
        if v <= 0xff: return b'\xcc' + bytes([v])
        if v <= 0xffff: return b'\xcd' + struct.pack('>H', v)
        if v <= 0xffffffff: return b'\xce' + struct.pack('>I', v)
        # Above 32 bits the codec writes int64 (0xd3), as msgpackr does; decoders also take uint64 (0xcf).
        return b'\xd3' + struct.pack('>q', v)
    if isinstance(v, float): return b'\xcb' + struct.pack('>d', v)
    if isinstance(v, str):
        b = v.encode()
        n = len(b)
        if n <= 31: return bytes([0xa0 | n]) + b
        if n <= 0xff: return b'\xd9' + bytes([n]) + b
        if n <= 0xffff: return b'\xda' + struct.pack('>H', n) + b
        return b'\xdb' + struct.pack('>I', n) + b
    if isinstance(v, (bytes, bytearray)):
        n = len(v)
        if n <= 0xff: return b'\xc4' + bytes([n]) + bytes(v)
        if n <= 0xffff: return b'\xc5' + struct.pack('>H', n) + bytes(v)
        return b'\xc6' + struct.pack('>I', n) + bytes(v)
    if isinstance(v, list):
        n = len(v)
        head = bytes([0x90 | n]) if n <= 15 else b'\xdc' + struct.pack('>H', n)
        return head + b''.join(enc(x) for x in v)
    if isinstance(v, dict):
        n = len(v)
        head = bytes([0x80 | n]) if n <= 15 else b'\xde' + struct.pack('>H', n)
        return head + b''.join(enc(k) + enc(x) for k, x in v.items())
    raise TypeError(v)
