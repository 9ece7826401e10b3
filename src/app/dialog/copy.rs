//! The copy/move dialog (F5/F6): what will be copied, the target (editable)
//! and the options. Counting directory contents happens in the background.

use super::Counts;
use super::input::LineInput;
use crate::app::effect::Effect;
use crate::app::side::Side;
use crate::choices::OverwritePolicy;
use crate::fs::Location;
use crate::jobs::{Mode, Options};

/// The dialog's rows that take the focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyField {
    Target,
    Preserve,
    Overwrite,
    Verify,
    Direct,
    Start,
    /// Follow symbolic links (copy what they point to) instead of copying
    /// them as links.
    FollowLinks,
    /// The copy's name when both panes show the same directory.
    NewName,
    /// The bandwidth limit, Kbit/s.
    Bandwidth,
    /// "Create the target directory" when the typed one does not exist.
    CreateTarget,
}

/// A typed target directory that does not exist, offered for creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTarget {
    pub location: Location,
    /// Ticked: created before the job is queued.
    pub on: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyDialog {
    pub mode: Mode,
    pub side: Side,
    pub sources: Vec<Location>,
    /// Files and directories among the sources, and the files' sizes, known
    /// from the listing; `counts` adds what is inside the directories.
    pub files: u64,
    pub dirs: u64,
    pub listed_bytes: u64,
    pub token: u64,
    pub counts: Option<Result<Counts, String>>,
    /// The other pane's directory, as it was when the dialog opened.
    pub target: Location,
    pub input: LineInput,
    pub options: Options,
    /// Direct mode is offered when both ends are remote, on different hosts,
    /// and the destination's login shell is not known to print text on
    /// standard output.
    pub direct_possible: bool,
    pub field: CopyField,
    pub error: Option<String>,
    /// Both panes show the same directory: the copy goes there under this
    /// name (the target row becomes this field).
    pub new_name: Option<LineInput>,
    /// The bandwidth limit in Kbit/s as typed (empty: none), as `cp -l`.
    pub bandwidth: LineInput,
    /// The typed target does not exist: offered for creation.
    pub create: Option<CreateTarget>,
    /// The typed target being looked at: the request's token and where.
    pub probing: Option<(u64, Location)>,
}

impl CopyDialog {
    pub fn title(&self) -> &'static str {
        match self.mode {
            Mode::Copy => "Copy",
            Mode::Move => "Move",
        }
    }

    pub fn fields(&self) -> Vec<CopyField> {
        let mut fields = vec![if self.new_name.is_some() { CopyField::NewName } else { CopyField::Target }];
        if self.create.is_some() {
            fields.push(CopyField::CreateTarget);
        }
        fields.extend([CopyField::Preserve, CopyField::Overwrite, CopyField::Verify]);
        if self.direct_possible {
            fields.push(CopyField::Direct);
        }
        fields.push(CopyField::FollowLinks);
        fields.push(CopyField::Bandwidth);
        fields.push(CopyField::Start);
        fields
    }

    /// The text field that has the focus, if the focus is on one.
    pub fn input_mut(&mut self) -> Option<&mut LineInput> {
        match self.field {
            CopyField::Target => Some(&mut self.input),
            CopyField::NewName => self.new_name.as_mut(),
            CopyField::Bandwidth => Some(&mut self.bandwidth),
            _ => None,
        }
    }

    /// A text field changed: what was said about the old text goes.
    pub fn edited(&mut self) {
        self.error = None;
        if self.field == CopyField::Target {
            self.create = None;
            self.probing = None;
        }
    }

    /// Moves the focus by `step` fields, wrapping.
    pub fn move_focus(&mut self, step: isize) {
        self.field = super::cycle(&self.fields(), self.field, step);
    }

    /// Toggles or cycles the focused option (`step` for the policy).
    pub fn change(&mut self, step: isize) {
        let options = &mut self.options;
        match self.field {
            CopyField::Preserve => options.preserve = !options.preserve,
            CopyField::Verify => options.verify = !options.verify,
            CopyField::Direct => options.direct = !options.direct,
            CopyField::FollowLinks => options.follow_links = !options.follow_links,
            CopyField::Overwrite => {
                let all = OverwritePolicy::ALL;
                let at = all.iter().position(|p| *p == options.overwrite).unwrap_or(0) as isize;
                options.overwrite = all[((at + step).rem_euclid(all.len() as isize)) as usize];
            }
            CopyField::CreateTarget => {
                if let Some(create) = &mut self.create {
                    create.on = !create.on;
                }
            }
            CopyField::Target | CopyField::Start | CopyField::NewName | CopyField::Bandwidth => {}
        }
    }

    /// Counting what the copy will really copy: the walk it will make,
    /// links followed or not as the option says (asked again when the
    /// option changes, under a new token).
    pub fn count(&self) -> Effect {
        Effect::CountCopy {
            token: self.token,
            targets: self.sources.clone(),
            follow: self.options.follow_links,
        }
    }

    /// Links and skipped entries found by the count (none until then).
    pub fn extras(&self) -> (u64, u64) {
        match &self.counts {
            Some(Ok(c)) => (c.links, c.skipped),
            _ => (0, 0),
        }
    }

    /// Totals for the summary line: files, directories, bytes; `None` for
    /// the bytes while directories are still being counted.
    pub fn totals(&self) -> (u64, u64, Option<u64>) {
        match &self.counts {
            Some(Ok(c)) => (c.files, c.dirs, Some(c.bytes)),
            Some(Err(_)) | None if self.dirs == 0 => (self.files, 0, Some(self.listed_bytes)),
            _ => (self.files, self.dirs, None),
        }
    }
}

/// The name a duplicate is offered under: `name (copy).ext` (the extension
/// kept for files), `name (copy 2).ext` when that is taken, and so on.
pub fn copy_name(name: &str, is_dir: bool, taken: impl Fn(&str) -> bool) -> String {
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if !is_dir && dot > 0 => name.split_at(dot),
        _ => (name, ""),
    };
    (1..)
        .map(|n| if n == 1 { format!("{stem} (copy){ext}") } else { format!("{stem} (copy {n}){ext}") })
        .find(|candidate| !taken(candidate))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_names_keep_the_extension_and_skip_taken_ones() {
        assert_eq!(copy_name("report.pdf", false, |_| false), "report (copy).pdf");
        assert_eq!(copy_name("archive.tar.gz", false, |_| false), "archive.tar (copy).gz");
        assert_eq!(copy_name(".bashrc", false, |_| false), ".bashrc (copy)");
        assert_eq!(copy_name("src.d", true, |_| false), "src.d (copy)");
        let taken = ["notes (copy).md", "notes (copy 2).md"];
        assert_eq!(copy_name("notes.md", false, |n| taken.contains(&n)), "notes (copy 3).md");
    }
}
