//! The change-mode dialog: an octal field and an rwx grid that always
//! agree, and a "recursive" option when directories are among the targets.

use super::input::LineInput;
use crate::app::side::Side;
use crate::fs::Location;

/// Grid rows: owner, group, others (read, write, execute), then the
/// special bits (setuid, setgid, sticky).
pub const GRID_ROWS: usize = 4;
pub const GRID_COLS: usize = 3;

/// The permission bit shown at a cell of the grid.
pub fn grid_bit(row: usize, col: usize) -> u32 {
    let col = col.min(GRID_COLS - 1);
    if row < 3 { 0o400 >> (3 * row + col) } else { 0o4000 >> col }
}

/// A mode as typed: one to four octal digits.
pub fn parse_octal(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    u32::from_str_radix(text, 8).ok()
}

/// A mode as the octal field shows it: four digits, e.g. `0755`.
pub fn octal(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

/// Whether `text` may stand in the octal field while it is being typed
/// (empty, or up to four octal digits).
fn may_type(text: &str) -> bool {
    text.len() <= 4 && text.bytes().all(|b| (b'0'..=b'7').contains(&b))
}

/// The dialog's parts that take the focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeField {
    Octal,
    Grid,
    Recursive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeDialog {
    pub side: Side,
    pub targets: Vec<Location>,
    /// The first target's mode when the dialog opened (of what a symlink
    /// points at, once known).
    pub original: u32,
    /// The mode to apply; follows the octal field while it parses.
    pub mode: u32,
    pub octal: LineInput,
    pub field: ModeField,
    /// The grid cell under the cursor.
    pub row: usize,
    pub col: usize,
    /// Some target is a directory: "recursive" is offered.
    pub has_dirs: bool,
    pub recursive: bool,
    /// Tags the look-up of a symlink's target mode (`Msg::ModeOf`).
    pub token: u64,
    /// The first target is a symlink whose target's mode is on its way: the
    /// listing only has the link's own (meaningless) mode.
    pub waiting: bool,
    pub error: Option<String>,
}

impl ModeDialog {
    pub fn new(side: Side, targets: Vec<Location>, mode: u32, has_dirs: bool) -> Self {
        let mode = mode & 0o7777;
        ModeDialog {
            side,
            targets,
            original: mode,
            mode,
            octal: LineInput::new(&octal(mode)),
            field: ModeField::Octal,
            row: 0,
            col: 0,
            has_dirs,
            recursive: false,
            token: 0,
            waiting: false,
            error: None,
        }
    }

    pub fn title(&self) -> String {
        match self.targets.len() {
            1 => "Change mode".to_owned(),
            n => format!("Change mode of {n} entries"),
        }
    }

    /// Sets the mode from outside the octal field (grid, look-up).
    pub fn set_mode(&mut self, mode: u32) {
        self.mode = mode & 0o7777;
        self.octal.set(&octal(self.mode));
        self.error = None;
    }

    /// The mode of a symlink's target arrived: it becomes the starting
    /// point, unless the user changed the mode meanwhile.
    pub fn known(&mut self, mode: u32) {
        self.waiting = false;
        if self.mode == self.original && self.octal.text() == octal(self.original) {
            self.set_mode(mode);
        }
        self.original = mode & 0o7777;
    }

    /// Flips the bit under the grid cursor.
    pub fn toggle(&mut self) {
        self.set_mode(self.mode ^ grid_bit(self.row, self.col));
    }

    /// Whether the bit at a cell is set.
    pub fn is_set(&self, row: usize, col: usize) -> bool {
        self.mode & grid_bit(row, col) != 0
    }

    /// An editing key in the octal field: kept when the text is still
    /// octal digits (at most four), which then become the mode.
    pub fn edit_octal(&mut self, key: &crossterm::event::KeyEvent) {
        let mut edited = self.octal.clone();
        if !edited.handle(key) || !may_type(edited.text()) {
            return;
        }
        self.octal = edited;
        match parse_octal(self.octal.text()) {
            Some(mode) => {
                self.mode = mode;
                self.error = None;
            }
            None => self.error = Some("type an octal mode, e.g. 644 or 2775".into()),
        }
    }

    pub fn fields(&self) -> Vec<ModeField> {
        let mut fields = vec![ModeField::Octal, ModeField::Grid];
        if self.has_dirs {
            fields.push(ModeField::Recursive);
        }
        fields
    }

    /// Moves the focus by `step` fields, wrapping.
    pub fn move_focus(&mut self, step: isize) {
        self.field = super::cycle(&self.fields(), self.field, step);
    }

    /// Moves the grid cursor; leaving the grid at the top or the bottom
    /// moves the focus to the field above or below.
    pub fn move_cell(&mut self, rows: isize, cols: isize) {
        let row = self.row as isize + rows;
        if row < 0 {
            self.field = ModeField::Octal;
            return;
        }
        if row >= GRID_ROWS as isize {
            if self.has_dirs {
                self.field = ModeField::Recursive;
            }
            return;
        }
        self.row = row as usize;
        self.col = (self.col as isize + cols).clamp(0, GRID_COLS as isize - 1) as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn dialog(mode: u32) -> ModeDialog {
        ModeDialog::new(Side::Left, vec![Location::Local("/x".into())], mode, true)
    }

    fn press(dialog: &mut ModeDialog, code: KeyCode) {
        dialog.edit_octal(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    #[test]
    fn the_grid_cells_are_the_permission_bits_in_ls_order() {
        let bits: Vec<u32> =
            (0..GRID_ROWS).flat_map(|r| (0..GRID_COLS).map(move |c| grid_bit(r, c))).collect();
        assert_eq!(
            bits,
            [0o400, 0o200, 0o100, 0o040, 0o020, 0o010, 0o004, 0o002, 0o001, 0o4000, 0o2000, 0o1000]
        );
        assert_eq!(bits.iter().fold(0, |all, b| all | b), 0o7777, "every bit once");
    }

    #[test]
    fn octal_text_parses_one_to_four_digits_only() {
        assert_eq!(parse_octal("755"), Some(0o755));
        assert_eq!(parse_octal("4755"), Some(0o4755));
        assert_eq!(parse_octal("0"), Some(0));
        for bad in ["", "8", "75a", "07555", "-7", " 7"] {
            assert_eq!(parse_octal(bad), None, "{bad:?}");
        }
        assert_eq!(octal(0o40755), "0755", "the file type never shows");
        assert_eq!(octal(0o1777), "1777");
    }

    #[test]
    fn toggling_the_grid_rewrites_the_octal_field() {
        let mut d = dialog(0o644);
        assert_eq!(d.octal.text(), "0644");
        d.move_cell(0, 2);
        d.toggle();
        assert_eq!((d.mode, d.octal.text()), (0o744, "0744"));
        d.move_cell(3, 0);
        d.toggle();
        assert_eq!((d.mode, d.octal.text()), (0o1744, "1744"), "bottom right is sticky");
        d.toggle();
        assert_eq!(d.mode, 0o744);
        assert!(d.is_set(0, 2) && !d.is_set(2, 2));
    }

    #[test]
    fn typing_octal_updates_the_grid_and_refuses_other_characters() {
        let mut d = dialog(0o644);
        for _ in 0..4 {
            press(&mut d, KeyCode::Backspace);
        }
        assert_eq!(d.mode, 0, "the mode follows the digits: 064, 06, 0");
        assert!(d.error.is_some(), "an empty field is no mode");
        for c in ['7', '5', '9', 'x', '0'] {
            press(&mut d, KeyCode::Char(c));
        }
        assert_eq!((d.octal.text(), d.mode, d.error.as_deref()), ("750", 0o750, None));
        assert!(d.is_set(1, 0) && d.is_set(1, 2) && !d.is_set(1, 1) && !d.is_set(2, 0));
        press(&mut d, KeyCode::Home);
        press(&mut d, KeyCode::Char('2'));
        assert_eq!(d.mode, 0o2750);
        press(&mut d, KeyCode::Char('1'));
        assert_eq!(d.octal.text(), "2750", "a fifth digit is refused");
    }

    #[test]
    fn focus_moves_between_fields_and_out_of_the_grid_edges() {
        let mut d = dialog(0o644);
        d.move_focus(1);
        assert_eq!(d.field, ModeField::Grid);
        d.move_cell(-1, 0);
        assert_eq!(d.field, ModeField::Octal, "up from the top row");
        d.field = ModeField::Grid;
        d.move_cell(3, 5);
        assert_eq!((d.row, d.col), (3, 2), "clamped to the grid");
        d.move_cell(1, 0);
        assert_eq!(d.field, ModeField::Recursive, "down from the bottom row");
        d.move_focus(1);
        assert_eq!(d.field, ModeField::Octal, "Tab wraps");
        let mut file = ModeDialog::new(Side::Left, Vec::new(), 0o644, false);
        assert_eq!(file.fields(), [ModeField::Octal, ModeField::Grid], "no recursion for files");
        file.move_focus(-1);
        assert_eq!(file.field, ModeField::Grid);
    }

    #[test]
    fn a_symlink_targets_mode_replaces_the_start_unless_edited() {
        let mut d = dialog(0o777);
        d.waiting = true;
        d.known(0o640);
        assert_eq!((d.mode, d.octal.text(), d.waiting), (0o640, "0640", false));
        let mut edited = dialog(0o777);
        edited.toggle();
        edited.known(0o640);
        assert_eq!(edited.mode, 0o377, "what the user typed stays");
        assert_eq!(edited.original, 0o640);
    }
}
