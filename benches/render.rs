//! Frame time for a 100,000-entry directory: `cargo bench --bench render`.
//!
//! Measures what one screen update costs while scrolling through a huge
//! listing (update + render into ratatui's TestBackend, which diffs and
//! stores cells like the real terminal backend minus the terminal I/O),
//! plus the one-off costs: receiving and sorting the listing, re-sorting,
//! and one filter keystroke. Results go in docs/benchmarks.md.

use std::ffi::OsString;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use scpdeck::app::{self, Effect, Msg, Side, State};
use scpdeck::fs::{Entry, Kind, Mtime};
use scpdeck::ui;

const ENTRIES: usize = 100_000;
const FRAMES: usize = 2_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;

fn entries() -> Vec<Entry> {
    (0..ENTRIES)
        .map(|i| Entry {
            name: OsString::from(format!("file-{:06}-{}.dat", (i * 7919) % ENTRIES, "x".repeat(i % 17))),
            kind: if i % 50 == 0 { Kind::Dir } else { Kind::File },
            size: (i as u64 * 7_654_321) % 10_000_000_000,
            mode: 0o644,
            mtime: Mtime { secs: 1_700_000_000 + i as i64 * 37, nanos: 0 },
            owner: "alice".into(),
            group: "staff".into(),
            link: None,
        })
        .collect()
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, modifiers))
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn main() {
    let mut state = State::new(PathBuf::from("/big"), PathBuf::from("/other"), jiff::tz::TimeZone::UTC);
    app::update(&mut state, Msg::Resize { width: WIDTH, height: HEIGHT });
    let effects = app::start(&mut state);
    let Some(Effect::List { generation, .. }) = effects.first() else { unreachable!() };
    let listing = entries();
    let (_, receive) = time(|| {
        app::update(
            &mut state,
            Msg::Listed { side: Side::Left, generation: *generation, result: Ok(listing) },
        )
    });
    // A refresh of the same directory (what the watcher triggers), five times.
    let mut refreshes: Vec<Duration> = (0..5)
        .map(|_| {
            let effects = app::update(&mut state, key(KeyCode::Char('r'), KeyModifiers::CONTROL));
            let Some(Effect::List { generation, .. }) = effects.first() else { unreachable!() };
            let listing = entries();
            let msg = Msg::Listed { side: Side::Left, generation: *generation, result: Ok(listing) };
            time(|| app::update(&mut state, msg)).1
        })
        .collect();
    refreshes.sort();
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test backend");

    // Steady scrolling: one key, one frame; a page jump every 10 frames.
    let mut frame_times = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        let msg = if i % 10 == 9 {
            key(KeyCode::PageDown, KeyModifiers::NONE)
        } else {
            key(KeyCode::Down, KeyModifiers::NONE)
        };
        let (_, elapsed) = time(|| {
            app::update(&mut state, msg);
            terminal.draw(|frame| ui::render(&state, frame)).expect("draw");
        });
        frame_times.push(elapsed);
    }
    black_box(terminal.backend().buffer());
    frame_times.sort();
    let mean = frame_times.iter().sum::<Duration>() / FRAMES as u32;
    let median = frame_times[FRAMES / 2];
    let p99 = frame_times[FRAMES * 99 / 100];
    let max = frame_times[FRAMES - 1];

    let (_, resort) = time(|| app::update(&mut state, key(KeyCode::Char('s'), KeyModifiers::ALT)));
    app::update(&mut state, key(KeyCode::Char('/'), KeyModifiers::NONE));
    let (_, filter) = time(|| app::update(&mut state, key(KeyCode::Char('9'), KeyModifiers::NONE)));

    println!("render benchmark: {ENTRIES} entries, {WIDTH}x{HEIGHT} terminal, {FRAMES} frames");
    println!("frame (update + render), mean: {:>8.3} ms", ms(mean));
    println!("frame (update + render), median:{:>7.3} ms", ms(median));
    println!("frame (update + render), p99:  {:>8.3} ms", ms(p99));
    println!("frame (update + render), max:  {:>8.3} ms", ms(max));
    println!("first listing arrives (sort):  {:>8.3} ms", ms(receive));
    println!("refresh arrives, median of 5:  {:>8.3} ms", ms(refreshes[2]));
    println!("re-sort by size:               {:>8.3} ms", ms(resort));
    println!("one filter keystroke:          {:>8.3} ms", ms(filter));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
