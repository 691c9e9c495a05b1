//! The chunked transfer coding of an upstream's response body (RFC 9112 §7.1), checked as it
//! passes: a decoder that takes the bytes as they arrive, however they are split, and gives
//! back the data they carry; the fast path writes that data to the client in chunks of its own
//! (so chunk extensions and trailers never reach the client, as on the general path, which
//! decodes and encodes again).
//!
//! Invariants: the decoder holds no more than one size line (at most [`MAX_LINE`] bytes, a
//! longer one is an error) and never allocates; a malformed size, a chunk not followed by CRLF,
//! or a trailer section longer than [`MAX_TRAILERS`] is an error, never data.

/// The longest chunk-size line (size, extensions, line end) accepted.
pub(crate) const MAX_LINE: usize = 4096;
/// The most bytes of trailer fields accepted (they are read and dropped).
pub(crate) const MAX_TRAILERS: usize = 16 * 1024;

/// Where the decoder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a size line: the size so far, its digit count, and whether the digits ended
    /// (extensions or whitespace follow).
    Size {
        size: u64,
        digits: u8,
        ended: bool,
        line: usize,
    },
    /// Read the CR of the size line of a chunk of this size.
    SizeLf(u64),
    /// Inside a chunk's data, this much left.
    Data(u64),
    /// After a chunk's data: its CR.
    DataCr,
    /// After a chunk's data: its LF.
    DataLf,
    /// After the last chunk: trailer lines, `line` bytes into the current one, `total` bytes.
    Trailers { line: usize, total: usize },
    /// A trailer line's CR.
    TrailerLf { line: usize, total: usize },
    /// The body is complete.
    Done,
}

/// A malformed chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// What one step of decoding found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// `consumed` bytes of input read; `data` of them (a range of the input) are body data.
    Read {
        consumed: usize,
        data: std::ops::Range<usize>,
    },
    /// The body ended after `consumed` bytes of the input (the rest is not the body's).
    Done { consumed: usize },
}

/// A chunked body being decoded.
#[derive(Debug, Clone)]
pub(crate) struct Decoder {
    state: State,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder at the start of a body.
    pub(crate) fn new() -> Decoder {
        Decoder {
            state: State::Size {
                size: 0,
                digits: 0,
                ended: false,
                line: 0,
            },
        }
    }

    /// Decodes from the start of `input`, up to the end of the next run of data (or the body's
    /// end). Call again with the rest of the input until it is all consumed.
    ///
    /// # Errors
    ///
    /// [`Malformed`] when the bytes are not a chunked body.
    pub(crate) fn step(&mut self, input: &[u8]) -> Result<Step, Malformed> {
        let mut at = 0;
        while at < input.len() {
            let byte = input[at];
            match &mut self.state {
                State::Size {
                    size,
                    digits,
                    ended,
                    line,
                } => {
                    *line += 1;
                    if *line > MAX_LINE {
                        return Err(Malformed);
                    }
                    match byte {
                        b'\r' => {
                            if *digits == 0 {
                                return Err(Malformed);
                            }
                            self.state = State::SizeLf(*size);
                        }
                        b'\n' => {
                            // A bare LF ends the line, as hyper's decoder accepts.
                            if *digits == 0 {
                                return Err(Malformed);
                            }
                            let size = *size;
                            self.state = after_size(size);
                        }
                        _ if !*ended && byte.is_ascii_hexdigit() => {
                            if *digits == 15 {
                                // More than 60 bits: no chunk is that large.
                                return Err(Malformed);
                            }
                            *size = *size * 16 + u64::from(hex_value(byte));
                            *digits += 1;
                        }
                        b';' | b' ' | b'\t' if *digits > 0 => *ended = true,
                        // Extensions: any visible byte, read and dropped.
                        _ if *ended && (byte == b'\t' || (0x20..0x7f).contains(&byte)) => {}
                        _ => return Err(Malformed),
                    }
                    at += 1;
                }
                State::SizeLf(size) => {
                    if byte != b'\n' {
                        return Err(Malformed);
                    }
                    self.state = after_size(*size);
                    at += 1;
                }
                State::Data(left) => {
                    let available = input.len() - at;
                    let take = usize::try_from(*left).map_or(available, |left| left.min(available));
                    *left -= take as u64;
                    if *left == 0 {
                        self.state = State::DataCr;
                    }
                    return Ok(Step::Read {
                        consumed: at + take,
                        data: at..at + take,
                    });
                }
                State::DataCr => {
                    self.state = match byte {
                        b'\r' => State::DataLf,
                        b'\n' => next_size(),
                        _ => return Err(Malformed),
                    };
                    at += 1;
                }
                State::DataLf => {
                    if byte != b'\n' {
                        return Err(Malformed);
                    }
                    self.state = next_size();
                    at += 1;
                }
                State::Trailers { line, total } => {
                    *total += 1;
                    if *total > MAX_TRAILERS {
                        return Err(Malformed);
                    }
                    match byte {
                        b'\r' => {
                            self.state = State::TrailerLf {
                                line: *line,
                                total: *total,
                            };
                        }
                        b'\n' if *line == 0 => {
                            self.state = State::Done;
                            return Ok(Step::Done { consumed: at + 1 });
                        }
                        b'\n' => {
                            self.state = State::Trailers {
                                line: 0,
                                total: *total,
                            };
                        }
                        _ => *line += 1,
                    }
                    at += 1;
                }
                State::TrailerLf { line, total } => {
                    if byte != b'\n' {
                        return Err(Malformed);
                    }
                    at += 1;
                    if *line == 0 {
                        self.state = State::Done;
                        return Ok(Step::Done { consumed: at });
                    }
                    self.state = State::Trailers {
                        line: 0,
                        total: *total,
                    };
                }
                State::Done => return Ok(Step::Done { consumed: at }),
            }
        }
        if self.state == State::Done {
            return Ok(Step::Done { consumed: at });
        }
        Ok(Step::Read {
            consumed: at,
            data: at..at,
        })
    }

    /// Whether the body has ended.
    #[cfg(test)]
    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }
}

fn next_size() -> State {
    State::Size {
        size: 0,
        digits: 0,
        ended: false,
        line: 0,
    }
}

/// The state after a size line: the chunk's data, or the trailers after the last chunk.
fn after_size(size: u64) -> State {
    if size == 0 {
        State::Trailers { line: 0, total: 0 }
    } else {
        State::Data(size)
    }
}

fn hex_value(byte: u8) -> u8 {
    match byte {
        b'0'..=b'9' => byte - b'0',
        b'a'..=b'f' => byte - b'a' + 10,
        _ => byte - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Decodes `input` fed in pieces at `cuts`: the data, and how many bytes the body took.
    fn decode_split(input: &[u8], cuts: &[usize]) -> Result<(Vec<u8>, Option<usize>), Malformed> {
        let mut decoder = Decoder::new();
        let mut data = Vec::new();
        let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
        bounds.push(0);
        bounds.push(input.len());
        bounds.sort_unstable();
        bounds.dedup();
        let mut offset = 0;
        for window in bounds.windows(2) {
            let mut piece = &input[window[0]..window[1]];
            while !piece.is_empty() {
                match decoder.step(piece)? {
                    Step::Read {
                        consumed,
                        data: range,
                    } => {
                        data.extend_from_slice(&piece[range]);
                        offset += consumed;
                        piece = &piece[consumed..];
                    }
                    Step::Done { consumed } => return Ok((data, Some(offset + consumed))),
                }
            }
        }
        Ok((data, decoder.is_done().then_some(offset)))
    }

    /// The reference: the body read whole, line by line, as RFC 9112 §7.1 writes it (CRLF line
    /// ends; a bare LF accepted as hyper does).
    fn reference(input: &[u8]) -> Result<(Vec<u8>, Option<usize>), Malformed> {
        fn line(input: &[u8], at: usize) -> Option<(&[u8], usize)> {
            let end = input[at..].iter().position(|&b| b == b'\n')? + at;
            let text = &input[at..end];
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            Some((text, end + 1))
        }
        let mut data = Vec::new();
        let mut at = 0;
        loop {
            let Some((text, next)) = line(input, at) else {
                return Ok((data, None));
            };
            let digits = text.iter().take_while(|b| b.is_ascii_hexdigit()).count();
            let rest = &text[digits..];
            let extension_ok = rest.is_empty()
                || (matches!(rest[0], b';' | b' ' | b'\t')
                    && rest
                        .iter()
                        .all(|&b| b == b'\t' || (0x20..0x7f).contains(&b)));
            if digits == 0 || digits > 15 || !extension_ok || text.contains(&b'\r') {
                return Err(Malformed);
            }
            let size =
                u64::from_str_radix(std::str::from_utf8(&text[..digits]).unwrap(), 16).unwrap();
            at = next;
            if size == 0 {
                let mut total = 0;
                loop {
                    let Some((text, next)) = line(input, at) else {
                        return Ok((data, None));
                    };
                    total += next - at;
                    if total > MAX_TRAILERS || text.contains(&b'\r') {
                        return Err(Malformed);
                    }
                    at = next;
                    if text.is_empty() {
                        return Ok((data, Some(at)));
                    }
                }
            }
            let size = usize::try_from(size).unwrap();
            if input.len() < at + size {
                data.extend_from_slice(&input[at..]);
                return Ok((data, None));
            }
            data.extend_from_slice(&input[at..at + size]);
            at += size;
            match &input[at..] {
                [] | [b'\r'] => return Ok((data, None)),
                [b'\r', b'\n', ..] => at += 2,
                [b'\n', ..] => at += 1,
                _ => return Err(Malformed),
            }
        }
    }

    /// A chunked body of `chunks`, each with its extension, then trailers.
    fn encode(chunks: &[(Vec<u8>, String)], trailers: &[String]) -> Vec<u8> {
        let mut body = Vec::new();
        for (data, extension) in chunks.iter().filter(|(data, _)| !data.is_empty()) {
            body.extend_from_slice(format!("{:x}{extension}\r\n", data.len()).as_bytes());
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n");
        for trailer in trailers {
            body.extend_from_slice(format!("{trailer}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let table: [&[u8]; 9] = [
            b"x\r\n",
            b"\r\n",
            b"-1\r\n",
            b"1\r\nab\r\n",
            b"1\r\naXY",
            b"1000000000000000\r\n",
            b"1;\x01\r\n",
            b"1\r\r\n",
            b"0x1\r\n",
        ];
        for body in table {
            assert_eq!(
                decode_split(body, &[]),
                Err(Malformed),
                "{:?}",
                String::from_utf8_lossy(body)
            );
            assert_eq!(
                reference(body),
                Err(Malformed),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_body_ends_at_its_last_chunk_and_leaves_what_follows() {
        let input = b"3;a=b\r\nabc\r\n0\r\nx-checksum: 1\r\n\r\nHTTP/1.1 200 OK\r\n";
        let (data, end) = decode_split(input, &[5, 11]).unwrap();
        assert_eq!(data, b"abc");
        assert_eq!(&input[end.unwrap()..], b"HTTP/1.1 200 OK\r\n");
    }

    proptest! {
        #[test]
        fn encoded_bodies_decode_to_their_data_however_they_are_split(
            chunks in proptest::collection::vec(
                (proptest::collection::vec(any::<u8>(), 0..40), "(;[a-z]{1,5}(=[a-z0-9]{0,4})?)?"),
                0..6,
            ),
            trailers in proptest::collection::vec("[a-z]{1,8}: [ -~]{0,10}", 0..3),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let body = encode(&chunks, &trailers);
            let expected: Vec<u8> = chunks.iter().flat_map(|(data, _)| data.clone()).collect();
            let decoded = decode_split(&body, &cuts).unwrap();
            prop_assert_eq!(decoded.clone(), (expected, Some(body.len())));
            prop_assert_eq!(reference(&body).unwrap(), decoded);
        }

        #[test]
        fn any_bytes_decode_as_the_reference_decodes_them(
            input in proptest::collection::vec(prop_oneof![
                Just(b'\r'), Just(b'\n'), Just(b'0'), Just(b'1'), Just(b'a'), Just(b';'), Just(b' '), any::<u8>()
            ], 0..48),
            cuts in proptest::collection::vec(any::<usize>(), 0..4),
        ) {
            let decoded = decode_split(&input, &cuts);
            let expected = reference(&input);
            match (&decoded, &expected) {
                (Ok(decoded), Ok(expected)) => {
                    // The reference gives a partial chunk's data only when it is whole; the
                    // decoder gives what arrived. Both agree on the end and on whole data.
                    prop_assert_eq!(decoded.1, expected.1);
                    if expected.1.is_some() {
                        prop_assert_eq!(&decoded.0, &expected.0);
                    }
                }
                (Err(_), Err(_)) => {}
                // An incomplete body may not be known malformed yet by one of the two.
                (Ok((_, None)), Err(_)) | (Err(_), Ok((_, None))) => {}
                _ => prop_assert!(false, "decoder {:?} reference {:?}", decoded, expected),
            }
        }
    }
}
