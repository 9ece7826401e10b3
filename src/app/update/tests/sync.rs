//! Compare directories (alt-c) and synchronize (alt-y): keys, the scan's
//! result, marks and selection in both panes, the preview and its run.

use std::path::Path;

use super::*;
use crate::app::dialog::{SyncDialog, SyncStage};
use crate::sync::{Difference, End, Node, Op as SyncOp, Why};

fn node(size: u64, mtime: i64) -> Node {
    Node { kind: Kind::File, size, mtime, mode: 0o644 }
}

fn differences() -> Vec<Difference> {
    vec![
        Difference {
            path: "f000".into(),
            left: Some(node(10, 10)),
            right: None,
            why: Why::OnlyIn(End::Left),
        },
        Difference { path: "r1".into(), left: None, right: Some(node(5, 5)), why: Why::OnlyIn(End::Right) },
        Difference {
            path: "sub/deep".into(),
            left: Some(node(1, 9)),
            right: Some(node(1, 2)),
            why: Why::NewerIn(End::Left),
        },
    ]
}

fn sync_dialog(state: &State) -> &SyncDialog {
    match state.dialogs.last() {
        Some(Dialog::Sync(d)) => d,
        other => panic!("no sync dialog: {other:?}"),
    }
}

/// Presses Enter on the options and returns the scan's token.
fn start_scan(state: &mut State) -> u64 {
    let effects = update(state, key(KeyCode::Enter));
    assert!(effects.iter().any(|e| matches!(e, Effect::Ticks { on: true })), "{effects:?}");
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Scan { token, left, right, .. } => {
                assert_eq!((left, right), (&local("/top"), &local("/other")));
                Some(*token)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no scan in {effects:?}"))
}

#[test]
fn compare_selects_and_marks_what_differs_in_both_panes() {
    let mut state = loaded(3);
    update(&mut state, alt('c'));
    assert_eq!(sync_dialog(&state).title(), "Compare directories");
    // Recursive on, checksum chosen, an exclude typed.
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, key(KeyCode::Char(' ')));
    update(&mut state, key(KeyCode::Tab));
    update(&mut state, key(KeyCode::Left));
    update(&mut state, key(KeyCode::Tab));
    typed(&mut state, "*.tmp");
    let d = sync_dialog(&state);
    assert!(d.recursive && d.criterion == crate::sync::Criterion::Checksum);
    assert_eq!(d.excludes.text(), "*.tmp");
    let token = start_scan(&mut state);
    // A stale result is dropped; Esc would cancel.
    update(&mut state, Msg::Scanned { token: token + 100, result: Ok(Vec::new()) });
    assert!(matches!(sync_dialog(&state).stage, SyncStage::Scanning { .. }));
    let effects = update(&mut state, Msg::Scanned { token, result: Ok(differences()) });
    assert!(matches!(effects.as_slice(), [Effect::Ticks { on: false }]));
    assert!(state.dialogs.is_empty());
    let left = state.pane(Side::Left);
    let marks = &left.compare.as_ref().unwrap().marks;
    assert_eq!(marks.get(std::ffi::OsStr::new("f000")), Some(&"only here"));
    assert_eq!(marks.get(std::ffi::OsStr::new("sub")), Some(&"differs inside"));
    assert_eq!(left.selected_count, 2);
    let right = state.pane(Side::Right);
    assert_eq!(right.compare.as_ref().unwrap().summary(), "1 only here · 1 differs inside");
    assert_eq!(right.selected_count, 2);
    assert!(state.status.as_ref().unwrap().text.contains("left: 1 only here · 1 differs inside"));
}

#[test]
fn esc_cancels_a_scan_and_its_late_result_is_dropped() {
    let mut state = loaded(3);
    update(&mut state, alt('c'));
    let token = start_scan(&mut state);
    let SyncStage::Scanning { progress, .. } = &sync_dialog(&state).stage else { panic!() };
    let progress = progress.clone();
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(progress.is_cancelled());
    assert!(matches!(effects.as_slice(), [Effect::Ticks { on: false }]));
    update(&mut state, Msg::Scanned { token, result: Ok(differences()) });
    assert!(state.pane(Side::Left).compare.is_none());
}

#[test]
fn synchronize_previews_unticks_and_queues_jobs_and_deletions() {
    let mut state = loaded(3);
    update(&mut state, alt('y'));
    let d = sync_dialog(&state);
    assert_eq!((d.direction, d.recursive), (crate::sync::Direction::ToRight, true));
    // Delete extra on (Tab from Start: Direction, Recursive, Criterion, Delete).
    for _ in 0..4 {
        update(&mut state, key(KeyCode::Tab));
    }
    update(&mut state, key(KeyCode::Char(' ')));
    assert!(sync_dialog(&state).delete);
    let token = start_scan(&mut state);
    update(&mut state, Msg::Scanned { token, result: Ok(differences()) });
    let SyncStage::Preview { plan, .. } = &sync_dialog(&state).stage else { panic!("no preview") };
    let ops: Vec<(SyncOp, &Path)> = plan.actions.iter().map(|a| (a.op, a.path.as_path())).collect();
    assert_eq!(
        ops,
        [
            (SyncOp::Copy, Path::new("f000")),
            (SyncOp::Delete, Path::new("r1")),
            (SyncOp::Update, Path::new("sub/deep"))
        ]
    );
    // Untick the copy; scroll past the end stays on the last.
    update(&mut state, key(KeyCode::Char(' ')));
    update(&mut state, key(KeyCode::PageDown));
    let SyncStage::Preview { plan, cursor, .. } = &sync_dialog(&state).stage else { panic!() };
    assert!(!plan.actions[0].ticked && *cursor == 2);
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(state.dialogs.is_empty());
    let deletes: Vec<&Vec<Location>> = effects
        .iter()
        .filter_map(|e| if let Effect::Delete { targets } = e { Some(targets) } else { None })
        .collect();
    assert_eq!(deletes, [&vec![local("/other/r1")]]);
    let submits: Vec<&crate::jobs::JobSpec> =
        effects.iter().filter_map(|e| if let Effect::Submit(s) = e { Some(s) } else { None }).collect();
    assert_eq!(submits.len(), 1);
    assert_eq!(
        (&submits[0].sources, &submits[0].target),
        (&vec![local("/top/sub/deep")], &local("/other/sub"))
    );
    assert!(submits[0].options.preserve);
}

#[test]
fn synchronize_in_sync_says_nothing_to_do_and_runs_nothing() {
    let mut state = loaded(3);
    state.focus = Side::Right;
    update(&mut state, alt('y'));
    assert_eq!(sync_dialog(&state).direction, crate::sync::Direction::ToLeft);
    let token = start_scan(&mut state);
    update(&mut state, Msg::Scanned { token, result: Ok(Vec::new()) });
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(effects.is_empty());
    assert!(state.status.as_ref().unwrap().text.contains("nothing to do"));
}

#[test]
fn a_bad_exclude_keeps_the_dialog_with_the_error() {
    let mut state = loaded(3);
    update(&mut state, alt('y'));
    update(&mut state, key(KeyCode::BackTab));
    update(&mut state, key(KeyCode::BackTab));
    typed(&mut state, "a[b");
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(effects.is_empty());
    assert!(sync_dialog(&state).error.as_ref().unwrap().contains("a[b"));
}
