//! Any byte stream, cut anywhere: the sink never panics, every name it lets
//! through is one safe path component, every file gets exactly its size in
//! data, and directories stay balanced.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scpdeck::scp::{Sink, SinkConfig, SinkEvent};

fuzz_target!(|data: &[u8]| {
    let Some((&step, input)) = data.split_first() else { return };
    let step = usize::from(step % 64) + 1;
    let requested = vec![b"a".to_vec(), b"b".to_vec(), b"c\nd".to_vec()];
    let mut sink = Sink::new(SinkConfig { recursive: step % 2 == 0, requested, credit: 4 });
    let mut depth = 0usize;
    let mut remaining: Option<u64> = None;
    'outer: for piece in input.chunks(step) {
        let mut pos = 0;
        while pos < piece.len() {
            let Ok((used, event)) = sink.feed(&piece[pos..]) else { break 'outer };
            assert!(used > 0 || event.is_some());
            pos += used;
            match event {
                Some(SinkEvent::File { name, size, .. }) => {
                    check(&name);
                    assert!(remaining.is_none());
                    remaining = Some(size);
                }
                Some(SinkEvent::Data(d)) => {
                    let left = remaining.as_mut().expect("data outside a file");
                    *left = left.checked_sub(d.len() as u64).expect("more data than the size");
                }
                Some(SinkEvent::FileEnd(_)) => {
                    assert_eq!(remaining.take(), Some(0));
                }
                Some(SinkEvent::Dir { name, .. }) => {
                    check(&name);
                    depth += 1;
                }
                Some(SinkEvent::DirEnd) => depth = depth.checked_sub(1).expect("unbalanced E"),
                Some(SinkEvent::Error { .. }) | None => {}
            }
            assert_eq!(depth, sink.depth());
        }
    }
    let _ = sink.finish();
    let _ = sink.take_acks();
});

fn check(name: &[u8]) {
    assert!(!name.is_empty() && name != b"." && name != b".." && !name.contains(&b'/') && !name.contains(&0));
}
