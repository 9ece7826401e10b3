//! The change-owner dialog: owner and group fields prefilled from the
//! listing, and a "recursive" option when directories are among the targets.

use super::input::LineInput;
use crate::app::side::Side;
use crate::fs::Location;

/// The dialog's parts that take the focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerField {
    Owner,
    Group,
    Recursive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerDialog {
    pub side: Side,
    pub targets: Vec<Location>,
    /// Each target's owner and group as listed (names, or numbers where
    /// the host has no name for them).
    pub current: Vec<(String, String)>,
    pub owner: LineInput,
    pub group: LineInput,
    pub field: OwnerField,
    pub has_dirs: bool,
    pub recursive: bool,
    pub error: Option<String>,
}

/// What to ask the file system for: an owner and/or a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerChange {
    pub owner: Option<String>,
    pub group: Option<String>,
}

impl OwnerDialog {
    /// Prefilled with the first target's owner and group.
    pub fn new(side: Side, targets: Vec<Location>, current: Vec<(String, String)>, has_dirs: bool) -> Self {
        let (owner, group) = current.first().cloned().unwrap_or_default();
        OwnerDialog {
            side,
            targets,
            current,
            owner: LineInput::new(&owner),
            group: LineInput::new(&group),
            field: OwnerField::Owner,
            has_dirs,
            recursive: false,
            error: None,
        }
    }

    pub fn title(&self) -> String {
        match self.targets.len() {
            1 => "Change owner and group".to_owned(),
            n => format!("Change owner and group of {n} entries"),
        }
    }

    pub fn fields(&self) -> Vec<OwnerField> {
        let mut fields = vec![OwnerField::Owner, OwnerField::Group];
        if self.has_dirs {
            fields.push(OwnerField::Recursive);
        }
        fields
    }

    /// Moves the focus by `step` fields, wrapping.
    pub fn move_focus(&mut self, step: isize) {
        self.field = super::cycle(&self.fields(), self.field, step);
    }

    /// The text field with the focus, if any.
    pub fn input_mut(&mut self) -> Option<&mut LineInput> {
        match self.field {
            OwnerField::Owner => Some(&mut self.owner),
            OwnerField::Group => Some(&mut self.group),
            OwnerField::Recursive => None,
        }
    }

    /// What the fields ask for. An empty field leaves that part alone; so
    /// does one naming what every target has already, unless the change is
    /// recursive (what is inside may differ). Leaving alone what is not
    /// changed spares a `chown` the owner needs no permission for.
    pub fn change(&self) -> Result<OwnerChange, String> {
        let pick = |text: &str, what: &str, has: &dyn Fn(&(String, String)) -> &str| {
            let text = text.trim();
            let same = !self.current.is_empty() && self.current.iter().all(|c| has(c) == text);
            if text.is_empty() || (same && !self.recursive) {
                return Ok(None);
            }
            if text.chars().any(|c| c == ':' || c.is_whitespace() || c.is_control()) {
                return Err(format!("a {what} name has no spaces, colons or control characters"));
            }
            Ok(Some(text.to_owned()))
        };
        let owner = pick(self.owner.text(), "user", &|c| c.0.as_str())?;
        let group = pick(self.group.text(), "group", &|c| c.1.as_str())?;
        Ok(OwnerChange { owner, group })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialog(current: &[(&str, &str)]) -> OwnerDialog {
        let current: Vec<(String, String)> =
            current.iter().map(|(o, g)| (o.to_string(), g.to_string())).collect();
        let targets = current.iter().map(|_| Location::Local("/x".into())).collect();
        OwnerDialog::new(Side::Left, targets, current, true)
    }

    #[test]
    fn only_what_changed_is_asked_for() {
        let mut d = dialog(&[("alice", "staff")]);
        assert_eq!((d.owner.text(), d.group.text()), ("alice", "staff"));
        assert_eq!(d.change(), Ok(OwnerChange { owner: None, group: None }));
        d.group.set("wheel");
        assert_eq!(d.change(), Ok(OwnerChange { owner: None, group: Some("wheel".into()) }));
        d.recursive = true;
        let all = OwnerChange { owner: Some("alice".into()), group: Some("wheel".into()) };
        assert_eq!(d.change(), Ok(all), "recursive: the whole tree gets both");
        d.owner.set("");
        assert_eq!(d.change().map(|c| c.owner), Ok(None), "an empty field is left alone");
    }

    #[test]
    fn several_targets_that_differ_all_get_the_named_owner() {
        let d = dialog(&[("alice", "staff"), ("bob", "staff")]);
        assert_eq!(d.change(), Ok(OwnerChange { owner: Some("alice".into()), group: None }));
    }

    #[test]
    fn names_with_colons_or_spaces_are_refused() {
        let mut d = dialog(&[("alice", "staff")]);
        d.owner.set("a:b");
        assert!(d.change().is_err());
        d.owner.set(" 1001 ");
        assert_eq!(d.change().map(|c| c.owner), Ok(Some("1001".into())), "numbers, trimmed");
        d.group.set("x y");
        assert!(d.change().is_err());
        let odd = dialog(&[("evil\x1b", "staff")]);
        assert_eq!(odd.change(), Ok(OwnerChange { owner: None, group: None }), "an odd name left as listed");
    }

    #[test]
    fn tab_order_skips_recursive_for_files() {
        let mut d = dialog(&[("a", "b")]);
        d.move_focus(-1);
        assert_eq!(d.field, OwnerField::Recursive);
        d.has_dirs = false;
        d.field = OwnerField::Group;
        d.move_focus(1);
        assert_eq!(d.field, OwnerField::Owner);
        assert!(d.input_mut().is_some());
    }
}
