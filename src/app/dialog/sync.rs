//! Compare directories and synchronize (the same dialog, two purposes):
//! the options, the scan of both panes' trees with its progress, and, for
//! synchronize, the plan as a scrollable preview whose actions can be
//! unticked before it runs.

use std::sync::Arc;

use super::input::LineInput;
use crate::fs::Location;
use crate::sync::{Criterion, Direction, ExcludeError, Excludes, Plan, Progress, SyncOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPurpose {
    /// Mark and select what differs in both panes.
    Compare,
    /// Plan, preview and run.
    Synchronize,
}

/// The option rows that take the focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncField {
    Direction,
    Recursive,
    Criterion,
    Delete,
    Excludes,
    Preserve,
    Start,
}

#[derive(Debug, Clone)]
pub enum SyncStage {
    Options,
    /// Both trees being read (and hashed); Esc cancels through `progress`.
    Scanning {
        token: u64,
        progress: Arc<Progress>,
    },
    /// The plan; `cursor` indexes its actions.
    Preview {
        plan: Plan,
        cursor: usize,
        offset: usize,
    },
}

#[derive(Debug, Clone)]
pub struct SyncDialog {
    pub purpose: SyncPurpose,
    /// The two panes' directories when the dialog opened.
    pub left: Location,
    pub right: Location,
    pub direction: Direction,
    pub recursive: bool,
    pub criterion: Criterion,
    pub delete: bool,
    pub preserve: bool,
    /// Glob patterns separated by spaces.
    pub excludes: LineInput,
    pub field: SyncField,
    pub stage: SyncStage,
    pub error: Option<String>,
}

const DIRECTIONS: [Direction; 3] = [Direction::ToRight, Direction::ToLeft, Direction::Both];
const CRITERIA: [Criterion; 3] = [Criterion::TimeAndSize, Criterion::SizeOnly, Criterion::Checksum];

fn cycled<T: Copy + PartialEq>(all: &[T], now: T, step: isize) -> T {
    let at = all.iter().position(|x| *x == now).unwrap_or(0) as isize;
    all[(at + step).rem_euclid(all.len() as isize) as usize]
}

impl SyncDialog {
    pub fn new(purpose: SyncPurpose, left: Location, right: Location, direction: Direction) -> Self {
        let defaults = SyncOptions::default();
        SyncDialog {
            purpose,
            left,
            right,
            direction,
            recursive: purpose == SyncPurpose::Synchronize,
            criterion: defaults.criterion,
            delete: defaults.delete,
            preserve: defaults.preserve,
            excludes: LineInput::new(""),
            field: SyncField::Start,
            stage: SyncStage::Options,
            error: None,
        }
    }

    pub fn title(&self) -> &'static str {
        match self.purpose {
            SyncPurpose::Compare => "Compare directories",
            SyncPurpose::Synchronize => "Synchronize",
        }
    }

    pub fn fields(&self) -> Vec<SyncField> {
        use SyncField::*;
        match self.purpose {
            SyncPurpose::Compare => vec![Recursive, Criterion, Excludes, Start],
            SyncPurpose::Synchronize => {
                vec![Direction, Recursive, Criterion, Delete, Excludes, Preserve, Start]
            }
        }
    }

    pub fn move_focus(&mut self, step: isize) {
        self.field = super::cycle(&self.fields(), self.field, step);
    }

    /// Toggles or cycles the focused option.
    pub fn change(&mut self, step: isize) {
        match self.field {
            SyncField::Direction => self.direction = cycled(&DIRECTIONS, self.direction, step),
            SyncField::Recursive => self.recursive = !self.recursive,
            SyncField::Criterion => self.criterion = cycled(&CRITERIA, self.criterion, step),
            SyncField::Delete => self.delete = !self.delete,
            SyncField::Preserve => self.preserve = !self.preserve,
            SyncField::Excludes | SyncField::Start => {}
        }
    }

    /// Deleting is offered one way only.
    pub fn deletes(&self) -> bool {
        self.delete && self.direction != Direction::Both
    }

    /// The options as the plan engine takes them.
    pub fn options(&self) -> Result<SyncOptions, ExcludeError> {
        let patterns: Vec<&str> = self.excludes.text().split_whitespace().collect();
        Ok(SyncOptions {
            direction: self.direction,
            recursive: self.recursive,
            criterion: self.criterion,
            delete: self.deletes(),
            excludes: Excludes::new(&patterns)?,
            preserve: self.preserve,
        })
    }

    /// Moves the preview's cursor by `delta` actions, keeping it within the
    /// `rows` shown.
    pub fn scroll(&mut self, delta: isize, rows: usize) {
        if let SyncStage::Preview { plan, cursor, offset } = &mut self.stage {
            let last = plan.actions.len().saturating_sub(1) as isize;
            *cursor = (*cursor as isize + delta).clamp(0, last.max(0)) as usize;
            let rows = rows.max(1);
            if *cursor < *offset {
                *offset = *cursor;
            } else if *cursor >= *offset + rows {
                *offset = *cursor + 1 - rows;
            }
        }
    }

    /// Ticks or unticks the action under the cursor (conflicts stay unticked).
    pub fn toggle(&mut self) {
        if let SyncStage::Preview { plan, cursor, .. } = &mut self.stage
            && let Some(action) = plan.actions.get_mut(*cursor)
            && action.op != crate::sync::Op::Conflict
        {
            action.ticked = !action.ticked;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_options_and_excludes() {
        let (l, r) = (Location::Local("/l".into()), Location::Local("/r".into()));
        let mut d = SyncDialog::new(SyncPurpose::Synchronize, l.clone(), r.clone(), Direction::ToRight);
        assert_eq!(d.fields().len(), 7);
        d.field = SyncField::Direction;
        d.change(1);
        assert_eq!(d.direction, Direction::ToLeft);
        d.change(1);
        d.delete = true;
        assert!(!d.deletes(), "both ways never deletes");
        d.excludes.set("*.tmp  .git");
        assert!(d.options().unwrap().excludes.excludes(std::path::Path::new("a/x.tmp")));
        d.excludes.set("a[b");
        assert!(d.options().is_err());
        let c = SyncDialog::new(SyncPurpose::Compare, l, r, Direction::ToRight);
        assert_eq!(
            c.fields(),
            [SyncField::Recursive, SyncField::Criterion, SyncField::Excludes, SyncField::Start]
        );
        assert!(!c.recursive);
    }
}
