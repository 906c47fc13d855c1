"""Key and value codecs: how Python objects become the fixed-size bytes a map stores.

A codec has a ``size``, ``encode(obj) -> bytes`` (exactly ``size`` bytes, or
:class:`~pyebpf.errors.CodecError`) and ``decode(bytes) -> obj``; ``encode_many`` /
``decode_many`` work on a whole batch buffer at once (the fast path for bulk reads and writes).

``codec_for(kind, size)`` turns what a user passes as ``key_type=`` / ``value_type=`` into a
codec: ``None`` or ``bytes`` (raw bytes, also accepting ints and ctypes objects of the right
size), ``int`` (unsigned native-endian integer), a ``struct`` format string, a
``ctypes.Structure``/array/scalar type, or a :class:`Codec` instance.
"""

from __future__ import annotations

import ctypes
import struct
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..errors import CodecError

_NATIVE = sys.byteorder
# ctypes has no public base class for its types; these four cover every one of them.
_CTYPES_BASES: tuple[type, ...] = (
    ctypes._SimpleCData,
    ctypes.Structure,
    ctypes.Union,
    ctypes.Array,
)


class Codec:
    """Base class: raw bytes of exactly ``size`` bytes."""

    def __init__(self, size: int, what: str = "value") -> None:
        self.size = size
        self.what = what

    def encode(self, obj: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def encode_many(self, objs: Iterable[Any]) -> bytes:
        return b"".join([self.encode(o) for o in objs])

    def pack_into(self, buf: Any, obj: Any) -> None:
        """Encode ``obj`` straight into ``buf`` (a writable buffer of exactly ``size`` bytes)."""
        buf[:] = self.encode(obj)

    def unpack_from(self, buf: Any) -> Any:
        """Decode from a buffer of exactly ``size`` bytes."""
        return self.decode(buf[:])

    def decode_many(self, data: bytes | memoryview, count: int) -> list[Any]:
        size = self.size
        mv = memoryview(data)
        return [self.decode(bytes(mv[i * size : (i + 1) * size])) for i in range(count)]

    def _wrong_size(self, got: int) -> CodecError:
        return CodecError(f"{self.what} is {got} bytes, the map expects {self.size}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.size})"


class RawCodec(Codec):
    """Bytes in, bytes out; also accepts an int (native-endian) or a ctypes object of that size."""

    def encode(self, obj: Any) -> bytes:
        if isinstance(obj, bytes):
            if len(obj) != self.size:
                raise self._wrong_size(len(obj))
            return obj
        if isinstance(obj, bytearray | memoryview):
            data = bytes(obj)
            if len(data) != self.size:
                raise self._wrong_size(len(data))
            return data
        if isinstance(obj, int) and not isinstance(obj, bool):
            return _int_bytes(obj, self.size, self.what, signed=obj < 0)
        if isinstance(obj, _CTYPES_BASES):
            data = bytes(obj)  # type: ignore[call-overload]
            if len(data) != self.size:
                raise self._wrong_size(len(data))
            return data
        raise CodecError(
            f"{self.what} must be bytes, an int or a ctypes object of {self.size} bytes, "
            f"not {type(obj).__name__}"
        )

    def decode(self, data: bytes) -> bytes:
        return data

    def decode_many(self, data: bytes | memoryview, count: int) -> list[Any]:
        raw = bytes(data[: count * self.size])
        size = self.size
        return [raw[i : i + size] for i in range(0, count * size, size)]


def _int_bytes(value: int, size: int, what: str, signed: bool) -> bytes:
    try:
        return value.to_bytes(size, _NATIVE, signed=signed)
    except OverflowError:
        raise CodecError(f"{what} {value} does not fit in {size} bytes") from None


_INT_FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}


class IntCodec(Codec):
    """A native-endian integer of ``size`` bytes (unsigned unless ``signed``)."""

    def __init__(self, size: int, what: str = "value", signed: bool = False) -> None:
        super().__init__(size, what)
        self.signed = signed
        fmt = _INT_FORMATS.get(size)
        self._fmt = (fmt.lower() if signed else fmt) if fmt else None
        self._struct = struct.Struct("=" + self._fmt) if self._fmt else None

    def pack_into(self, buf: Any, obj: Any) -> None:
        if self._struct is not None and type(obj) is int:
            try:
                self._struct.pack_into(buf, 0, obj)
                return
            except struct.error:
                pass  # out of range: encode() names the problem
        buf[:] = self.encode(obj)

    def unpack_from(self, buf: Any) -> Any:
        if self._struct is not None:
            return self._struct.unpack_from(buf)[0]
        return self.decode(buf[:])

    def encode(self, obj: Any) -> bytes:
        if not isinstance(obj, int) or isinstance(obj, bool):
            raise CodecError(f"{self.what} must be an int, not {type(obj).__name__}")
        return _int_bytes(obj, self.size, self.what, self.signed)

    def decode(self, data: bytes) -> int:
        return int.from_bytes(data, _NATIVE, signed=self.signed)

    def encode_many(self, objs: Iterable[Any]) -> bytes:
        items = objs if isinstance(objs, list | tuple) else list(objs)
        if self._fmt is not None:
            try:
                return struct.pack(f"={len(items)}{self._fmt}", *items)
            except struct.error:
                pass  # find the offending item below, to name it
        return b"".join([self.encode(o) for o in items])

    def decode_many(self, data: bytes | memoryview, count: int) -> list[Any]:
        if self._fmt is not None:
            return list(struct.unpack_from(f"={count}{self._fmt}", data))
        return super().decode_many(data, count)


class StructCodec(Codec):
    """A ``struct`` format: encodes a tuple (or a bare value for one field), decodes likewise."""

    def __init__(self, fmt: str, what: str = "value") -> None:
        try:
            self._struct = struct.Struct(fmt)
        except struct.error as exc:
            raise CodecError(f"{what} format {fmt!r} is not a struct format: {exc}") from None
        super().__init__(self._struct.size, what)
        self.format = fmt
        self._single = len(self._struct.unpack(bytes(self._struct.size))) == 1

    def encode(self, obj: Any) -> bytes:
        args = (obj,) if self._single and not isinstance(obj, tuple | list) else tuple(obj)
        try:
            return self._struct.pack(*args)
        except (struct.error, TypeError) as exc:
            raise CodecError(
                f"{self.what} {obj!r} does not fit format {self.format!r}: {exc}"
            ) from None

    def decode(self, data: bytes) -> Any:
        values = self._struct.unpack(data)
        return values[0] if self._single else values

    def unpack_from(self, buf: Any) -> Any:
        values = self._struct.unpack_from(buf)
        return values[0] if self._single else values

    def decode_many(self, data: bytes | memoryview, count: int) -> list[Any]:
        it = self._struct.iter_unpack(bytes(data[: count * self.size]))
        if self._single:
            return [v[0] for v in it]
        return list(it)


class CtypesCodec(Codec):
    """A ctypes type (Structure, Union, Array or scalar); decodes to an instance of it."""

    def __init__(self, ctype: Any, what: str = "value") -> None:
        super().__init__(ctypes.sizeof(ctype), what)
        self.ctype = ctype

    def encode(self, obj: Any) -> bytes:
        if isinstance(obj, self.ctype):
            return bytes(obj)
        if issubclass(self.ctype, ctypes._SimpleCData) and not isinstance(obj, _CTYPES_BASES):
            try:
                return bytes(self.ctype(obj))
            except TypeError as exc:
                raise CodecError(f"{self.what} {obj!r}: {exc}") from None
        raise CodecError(f"{self.what} must be a {self.ctype.__name__}, not {type(obj).__name__}")

    def decode(self, data: bytes) -> Any:
        value = self.ctype.from_buffer_copy(data)
        if isinstance(value, ctypes._SimpleCData):
            return value.value
        return value

    def __repr__(self) -> str:
        return f"CtypesCodec({self.ctype.__name__})"


class FDCodec(Codec):
    """Values of prog arrays and map-of-maps: write a live object (or fd), read back its id."""

    def __init__(self, what: str = "value") -> None:
        super().__init__(4, what)

    def encode(self, obj: Any) -> bytes:
        fd = obj if isinstance(obj, int) and not isinstance(obj, bool) else getattr(obj, "fd", None)
        if not isinstance(fd, int) or fd < 0:
            raise CodecError(
                f"{self.what} must be a live Map/Program or a file descriptor, not {type(obj).__name__}"
            )
        return fd.to_bytes(4, _NATIVE)

    def decode(self, data: bytes) -> int:
        return int.from_bytes(data, _NATIVE)


def packer(codec: Codec, buf: Any) -> Callable[[Any], None]:
    """A function that encodes its argument into ``buf``: the single-element hot path."""
    encode = codec.encode
    if isinstance(codec, IntCodec) and codec._struct is not None:
        pack_into = codec._struct.pack_into
        error = struct.error

        def pack_int(obj: Any) -> None:
            if type(obj) is int:
                try:
                    pack_into(buf, 0, obj)
                    return
                except error:
                    pass  # out of range: encode() raises the CodecError that says so
            buf[:] = encode(obj)

        return pack_int

    def pack(obj: Any) -> None:
        buf[:] = encode(obj)

    return pack


def int_ctype(codec: Codec | None) -> str | None:
    """The C type (``uint32_t`` ...) of an integer codec of 1/2/4/8 bytes, else None.

    A typed cffi pointer reads and writes such an integer faster than ``struct`` through a
    buffer, which matters on the single-element hot path.
    """
    if type(codec) is not IntCodec or codec._fmt is None:
        return None
    return f"{'' if codec.signed else 'u'}int{codec.size * 8}_t"


def unpacker(codec: Codec, buf: Any) -> Callable[[], Any]:
    """A function that decodes ``buf``: the single-element hot path."""
    if isinstance(codec, IntCodec) and codec._struct is not None:
        unpack_from = codec._struct.unpack_from
        return lambda: unpack_from(buf)[0]
    unpack = codec.unpack_from
    return lambda: unpack(buf)


def codec_for(kind: Any, size: int, what: str) -> Codec:
    """The codec for ``kind`` (see the module docs), checked against the map's ``size``."""
    if isinstance(kind, Codec):
        codec = kind
    elif kind is None or kind is bytes:
        codec = RawCodec(size, what)
    elif kind is int:
        if size not in _INT_FORMATS and size > 16:
            raise CodecError(f"an int {what} needs a size of 1 to 16 bytes, the map has {size}")
        codec = IntCodec(size, what)
    elif isinstance(kind, str):
        codec = StructCodec(kind, what)
    elif isinstance(kind, type) and issubclass(kind, _CTYPES_BASES):
        codec = CtypesCodec(kind, what)
    else:
        raise CodecError(
            f"{what} type must be None, bytes, int, a struct format, a ctypes type or a Codec, "
            f"not {kind!r}"
        )
    if codec.size != size:
        raise CodecError(
            f"{what} type {codec!r} is {codec.size} bytes, the map's {what} size is {size}"
        )
    return codec


def chunks(items: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]
