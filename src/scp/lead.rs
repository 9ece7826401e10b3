//! An upload's first input, sent with the `scp -t` command instead of
//! after its greeting (see `shell::exec::start_with`): the first file's
//! records (`T` with -p, then `C`), and for a small file its data and
//! status byte too. A one-file upload then waits for no reply before its
//! data: scp's greeting and the replies to the records come back together.
//!
//! Data sent before the `C` record's reply is read as records if the sink
//! refuses the file (it could not create it). So it goes only where that
//! is safe: a command whose placing follows scp and runs only if scp
//! exited 0, which OpenSSH's sink never does after refusing a file (every
//! error it reports counts), and only for the batch's one file: nothing
//! is sent after it (see [`super::push::Push`], which gives up on the
//! stream after such a refusal).

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::error::ScpError;
use super::handoff::Receiver;
use super::item::Item;
use super::source::Source;
use tokio_util::sync::CancellationToken;

/// The largest first file whose data goes with the command: far within
/// any channel window, so that writing it never waits for the remote.
pub(crate) const SMALL: u64 = 64 * 1024;

/// What went with the command.
#[derive(Default)]
pub(crate) struct Lead {
    /// The bytes to send with the command.
    pub bytes: Vec<u8>,
    /// The items already taken from the queue, in order (to be handled as
    /// sent: the first is a file whose records went when `header`).
    pub items: Vec<Item>,
    /// The first file's records went.
    pub header: bool,
    /// Its data and status byte went too.
    pub whole: bool,
}

/// Takes the first items of `items` and makes the lead for them, the
/// records written into `source` (whose replies it then expects). `whole`
/// allows the data to go too (one file in the batch, no bandwidth limit).
pub(crate) fn take(
    items: &Receiver<Item>,
    source: &mut Source,
    names: &[OsString],
    whole: bool,
    cancel: &CancellationToken,
) -> Result<Lead, ScpError> {
    let mut lead = Lead::default();
    let Some(first) = items.recv(cancel)? else { return Ok(lead) };
    let Item::File { id, ref file, ref name, mode, size, times } = first else {
        lead.items.push(first);
        return Ok(lead);
    };
    let name = names.get(file.source).unwrap_or(name).clone();
    if let Some(t) = times {
        source.times(id, t);
    }
    if source.file(id, mode, size, name.as_bytes()).is_err() {
        // A name that cannot travel: refused as usual, nothing sent.
        *source = Source::new();
        lead.items.push(first);
        return Ok(lead);
    }
    lead.header = true;
    lead.items.push(first);
    if whole && size <= SMALL {
        let mut data = Vec::new();
        loop {
            match items.recv(cancel)? {
                Some(Item::Data(chunk)) => {
                    data.extend_from_slice(&chunk);
                    lead.items.push(Item::Data(chunk));
                }
                Some(Item::FileEnd(Ok(()))) if data.len() as u64 == size => {
                    lead.items.push(Item::FileEnd(Ok(())));
                    lead.whole = true;
                    break;
                }
                // A read error, a short file: sent the usual way.
                Some(other) => {
                    lead.items.push(other);
                    break;
                }
                None => break,
            }
        }
        if lead.whole {
            lead.bytes = source.take_output();
            lead.bytes.extend_from_slice(&data);
            source.data_end(id, Ok(()));
            lead.bytes.extend(source.take_output());
            return Ok(lead);
        }
    }
    lead.bytes = source.take_output();
    Ok(lead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scp::event::FileRef;
    use crate::scp::handoff;
    use crate::scp::source::Sent;

    /// A queue holding a file `f` of `size` bytes (its data in one chunk,
    /// then `end`), and the lead taken from it.
    fn lead_of(size: usize, end: Result<(), String>, whole: bool) -> (Lead, Source) {
        let cancel = CancellationToken::new();
        let (tx, rx) = handoff::bounded(8, Item::urgent);
        let file = FileRef { source: 0, path: "f".into() };
        let name = OsString::from("f");
        tx.send(Item::File { id: 7, file, name, mode: 0o644, size: size as u64, times: None }, &cancel)
            .unwrap();
        tx.send(Item::Data(vec![b'x'; size]), &cancel).unwrap();
        tx.send(Item::FileEnd(end), &cancel).unwrap();
        drop(tx);
        let mut source = Source::new();
        let lead = take(&rx, &mut source, &[OsString::from("0")], whole, &cancel).unwrap();
        (lead, source)
    }

    #[test]
    fn a_small_file_goes_whole_under_its_wire_name() {
        let (lead, mut source) = lead_of(5, Ok(()), true);
        assert_eq!(lead.bytes, b"C0644 5 0\nxxxxx\0");
        assert!(lead.header && lead.whole);
        assert_eq!(lead.items.len(), 3);
        // The greeting, the record's reply and the data's, in that order.
        let mut sent = Vec::new();
        for _ in 0..3 {
            sent.push(source.feed(b"\0").unwrap().1.unwrap().sent);
        }
        assert_eq!(sent, [Sent::Start, Sent::File, Sent::Data]);
    }

    #[test]
    fn a_larger_file_a_limit_or_a_read_error_sends_only_the_record() {
        let (lead, source) = lead_of(SMALL as usize + 1, Ok(()), true);
        assert_eq!(lead.bytes, format!("C0644 {} 0\n", SMALL + 1).as_bytes());
        assert!(lead.header && !lead.whole);
        assert_eq!((lead.items.len(), source.outstanding()), (1, 2));
        let (lead, _) = lead_of(5, Ok(()), false);
        assert!(lead.header && !lead.whole && lead.items.len() == 1);
        let (lead, source) = lead_of(5, Err("gone".into()), true);
        assert_eq!(lead.bytes, b"C0644 5 0\n");
        assert!(lead.header && !lead.whole);
        assert_eq!((lead.items.len(), source.outstanding()), (3, 2));
    }

    #[test]
    fn forgetting_expects_no_more_replies() {
        let (_, mut source) = lead_of(5, Ok(()), true);
        source.forget();
        assert_eq!(source.outstanding(), 0);
        assert!(source.feed(b"\0").is_err());
    }
}
