//! A bounds-checked msgpack reader over a byte slice (rmp does the format work).
//!
//! Lengths read from the input are only ever used to slice the input, so a lying length
//! fails as truncation instead of allocating.

use rmp::Marker;
use rmp::decode::{NumValueReadError, ValueReadError};

/// Why the next item could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadError {
    /// The input ends inside the item.
    Truncated,
    /// The item is of another kind than asked for.
    Mismatch,
}

impl<E: rmp::decode::RmpReadErr> From<ValueReadError<E>> for ReadError {
    fn from(e: ValueReadError<E>) -> ReadError {
        match e {
            ValueReadError::TypeMismatch(_) => ReadError::Mismatch,
            _ => ReadError::Truncated,
        }
    }
}

impl<E: rmp::decode::RmpReadErr> From<NumValueReadError<E>> for ReadError {
    fn from(e: NumValueReadError<E>) -> ReadError {
        match e {
            NumValueReadError::TypeMismatch(_) | NumValueReadError::OutOfRange => {
                ReadError::Mismatch
            }
            _ => ReadError::Truncated,
        }
    }
}

/// The unread rest of the input.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    /// Bytes not yet read; every further item takes at least one.
    pub(super) fn remaining(&self) -> usize {
        self.rest.len()
    }

    /// The marker of the next item, without consuming it.
    pub(super) fn peek(&self) -> Result<Marker, ReadError> {
        self.rest
            .first()
            .map(|&b| Marker::from_u8(b))
            .ok_or(ReadError::Truncated)
    }

    pub(super) fn take(&mut self, len: usize) -> Result<&'a [u8], ReadError> {
        if len > self.rest.len() {
            return Err(ReadError::Truncated);
        }
        let (head, tail) = self.rest.split_at(len);
        self.rest = tail;
        Ok(head)
    }

    pub(super) fn nil(&mut self) -> Result<(), ReadError> {
        rmp::decode::read_nil(&mut self.rest)?;
        Ok(())
    }

    pub(super) fn bool(&mut self) -> Result<bool, ReadError> {
        Ok(rmp::decode::read_bool(&mut self.rest)?)
    }

    /// Any msgpack integer (i128 holds every one of them).
    pub(super) fn int(&mut self) -> Result<i128, ReadError> {
        Ok(rmp::decode::read_int::<i128, _>(&mut self.rest)?)
    }

    /// A float32 or float64, widened exactly.
    pub(super) fn float(&mut self) -> Result<f64, ReadError> {
        match self.peek()? {
            Marker::F32 => Ok(f64::from(rmp::decode::read_f32(&mut self.rest)?)),
            Marker::F64 => Ok(rmp::decode::read_f64(&mut self.rest)?),
            _ => Err(ReadError::Mismatch),
        }
    }

    /// The bytes of a str or bin item.
    pub(super) fn bytes(&mut self) -> Result<&'a [u8], ReadError> {
        let len = match self.peek()? {
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                rmp::decode::read_str_len(&mut self.rest)?
            }
            Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => {
                rmp::decode::read_bin_len(&mut self.rest)?
            }
            _ => return Err(ReadError::Mismatch),
        };
        self.take(len as usize)
    }

    pub(super) fn array_len(&mut self) -> Result<usize, ReadError> {
        Ok(rmp::decode::read_array_len(&mut self.rest)? as usize)
    }

    pub(super) fn map_len(&mut self) -> Result<usize, ReadError> {
        Ok(rmp::decode::read_map_len(&mut self.rest)? as usize)
    }

    /// An extension item: its type code and payload.
    pub(super) fn ext(&mut self) -> Result<(i8, &'a [u8]), ReadError> {
        let meta = rmp::decode::read_ext_meta(&mut self.rest)?;
        Ok((meta.typeid, self.take(meta.size as usize)?))
    }

    /// Skips one item of any kind, without recursion.
    pub(super) fn skip(&mut self) -> Result<(), ReadError> {
        let mut pending: u64 = 1;
        while pending > 0 {
            pending -= 1;
            let marker = self.peek()?;
            self.take(1)?;
            let data_len = match marker {
                Marker::FixPos(_)
                | Marker::FixNeg(_)
                | Marker::Null
                | Marker::True
                | Marker::False => 0,
                Marker::Reserved => return Err(ReadError::Mismatch),
                Marker::U8 | Marker::I8 => 1,
                Marker::U16 | Marker::I16 => 2,
                Marker::U32 | Marker::I32 | Marker::F32 => 4,
                Marker::U64 | Marker::I64 | Marker::F64 => 8,
                Marker::FixExt1 => 2,
                Marker::FixExt2 => 3,
                Marker::FixExt4 => 5,
                Marker::FixExt8 => 9,
                Marker::FixExt16 => 17,
                Marker::FixStr(n) => usize::from(n),
                Marker::Str8 | Marker::Bin8 => self.len_field(1)?,
                Marker::Str16 | Marker::Bin16 => self.len_field(2)?,
                Marker::Str32 | Marker::Bin32 => self.len_field(4)?,
                Marker::Ext8 => self.len_field(1)? + 1,
                Marker::Ext16 => self.len_field(2)? + 1,
                Marker::Ext32 => self.len_field(4)? + 1,
                Marker::FixArray(n) => {
                    pending += u64::from(n);
                    0
                }
                Marker::Array16 => {
                    pending += self.len_field(2)? as u64;
                    0
                }
                Marker::Array32 => {
                    pending += self.len_field(4)? as u64;
                    0
                }
                Marker::FixMap(n) => {
                    pending += 2 * u64::from(n);
                    0
                }
                Marker::Map16 => {
                    pending += 2 * self.len_field(2)? as u64;
                    0
                }
                Marker::Map32 => {
                    pending += 2 * self.len_field(4)? as u64;
                    0
                }
            };
            self.take(data_len)?;
        }
        Ok(())
    }

    /// A big-endian length of `width` bytes.
    fn len_field(&mut self, width: usize) -> Result<usize, ReadError> {
        Ok(self
            .take(width)?
            .iter()
            .fold(0usize, |n, &b| (n << 8) | usize::from(b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lying_lengths_fail_as_truncation_without_allocating() {
        // str32 and ext32 claiming 4 GiB, array32 claiming 4 G elements.
        let mut r = Reader::new(&[0xdb, 0xff, 0xff, 0xff, 0xff, b'a']);
        assert_eq!(r.bytes(), Err(ReadError::Truncated));
        let mut r = Reader::new(&[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00]);
        assert_eq!(r.ext(), Err(ReadError::Truncated));
        let mut r = Reader::new(&[0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert_eq!(r.skip(), Err(ReadError::Truncated));
    }

    #[test]
    fn skip_passes_over_nested_items() {
        // {1: [nil, "ab"], 2: ext0} then a trailing 7.
        let bytes = [
            0x82, 0x01, 0x92, 0xc0, 0xa2, b'a', b'b', 0x02, 0xd4, 0, 0, 0x07,
        ];
        let mut r = Reader::new(&bytes);
        r.skip().unwrap();
        assert_eq!(r.int(), Ok(7));
        assert_eq!(r.remaining(), 0);
    }
}
