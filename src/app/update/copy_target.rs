//! Where the copy dialog's job goes when it is not simply the other pane's
//! directory: a typed target (looked at first; one that does not exist is
//! offered for creation before anything is queued), or, with both panes
//! on the same directory, a duplicate under a new name.

use crate::app::WorkError;
use crate::app::dialog::{CopyDialog, CopyField, CreateTarget, Dialog};
use crate::app::effect::Effect;
use crate::app::side::Side;
use crate::app::state::State;
use crate::fs::{Kind, Location};
use crate::jobs::{JobSpec, Mode, Options, TargetKind};
use crate::text::escape_str;

use super::jobs::{queue, queued, refuse};

/// Enter with a typed target: queued once its kind is known; looked at
/// first otherwise.
pub(super) fn typed_target(
    state: &mut State,
    mut dialog: CopyDialog,
    target: Location,
    options: Options,
) -> Vec<Effect> {
    match dialog.create.take() {
        Some(create) if create.location == target && create.on => {
            let side = dialog.side;
            let spec = JobSpec {
                mode: dialog.mode,
                sources: dialog.sources,
                target: target.clone(),
                target_kind: TargetKind::Dir,
                options,
            };
            state.hint(format!("creating {target}…"));
            vec![Effect::CreateTarget { side, location: target, spec: Box::new(spec) }]
        }
        // Not to be created: one source is copied under that name, as scp.
        Some(create) if create.location == target && dialog.sources.len() == 1 => {
            queue(state, dialog, target, TargetKind::Auto, options)
        }
        Some(create) if create.location == target => {
            let why = format!("{target} does not exist: tick \"create\", or type an existing directory");
            dialog.create = Some(create);
            refuse(state, dialog, CopyField::CreateTarget, &why)
        }
        _ => {
            let token = state.token();
            dialog.probing = Some((token, target.clone()));
            dialog.error = None;
            state.dialogs.push(Dialog::Copy(Box::new(dialog)));
            vec![Effect::ProbeTarget { token, location: target }]
        }
    }
}

/// What the typed target is: a directory takes the job; a file takes a
/// single source under its name (the overwrite policy decides); nothing
/// there is offered for creation with the focus on it: ticked for several
/// sources or a target typed with a final `/`, unticked for one source
/// (which is then copied under that name, as scp does).
pub(super) fn probed(state: &mut State, token: u64, result: Result<Option<Kind>, WorkError>) -> Vec<Effect> {
    let at = state.dialogs.iter().rposition(
        |d| matches!(d, Dialog::Copy(copy) if copy.probing.as_ref().is_some_and(|(t, _)| *t == token)),
    );
    let Some(Dialog::Copy(dialog)) = at.map(|i| state.dialogs.remove(i)) else { return Vec::new() };
    let mut dialog = *dialog;
    state.needs_render = true;
    let Some((_, target)) = dialog.probing.take() else { return Vec::new() };
    // The limit may have been edited meanwhile.
    let options = match super::jobs::job_options(&dialog) {
        Ok(options) => options,
        Err(e) => return refuse(state, dialog, CopyField::Bandwidth, &e.to_string()),
    };
    match result {
        Ok(Some(Kind::Dir)) => queue(state, dialog, target, TargetKind::Dir, options),
        Ok(Some(_)) if dialog.sources.len() == 1 => queue(state, dialog, target, TargetKind::Auto, options),
        Ok(Some(_)) => {
            let why =
                format!("{target} is not a directory: {} entries go into a directory", dialog.sources.len());
            refuse(state, dialog, CopyField::Target, &why)
        }
        Ok(None) => {
            let on = dialog.sources.len() > 1 || dialog.input.text().trim_end().ends_with('/');
            dialog.create = Some(CreateTarget { location: target, on });
            dialog.field = CopyField::CreateTarget;
            state.dialogs.push(Dialog::Copy(Box::new(dialog)));
            Vec::new()
        }
        Err(error) => refuse(state, dialog, CopyField::Target, &error.shown()),
    }
}

/// The target directory was created: the job is queued now.
pub(super) fn created(
    state: &mut State,
    side: Side,
    spec: JobSpec,
    result: Result<(), WorkError>,
) -> Vec<Effect> {
    match result {
        Ok(()) => {
            state.info(format!("created {}", spec.target));
            let mut effects = queued(state, side, spec);
            effects.push(super::panes::reload(state, side.other()));
            effects
        }
        Err(error) => {
            state.failed(spec.target.host(), &error);
            Vec::new()
        }
    }
}

/// Both panes on one directory: the entry is copied (or renamed, for a
/// move) there under the name typed, which must be new.
pub(super) fn duplicate(state: &mut State, dialog: CopyDialog, options: Options) -> Vec<Effect> {
    let name = dialog.new_name.as_ref().map(|n| n.text().to_owned()).unwrap_or_default();
    let [source] = dialog.sources.as_slice() else {
        return refuse(state, dialog, CopyField::NewName, "a duplicate takes one entry");
    };
    let current = source.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let problem = if name.trim().is_empty() {
        Some("type a name for the copy".to_owned())
    } else if name.contains('/') || name == "." || name == ".." {
        Some("a name in this directory, not a path".to_owned())
    } else if name == current {
        Some("the copy needs another name than the original".to_owned())
    } else if state.pane(dialog.side).entries.iter().any(|e| e.name == name.as_str()) {
        Some(format!("{name} exists here: choose another name"))
    } else {
        None
    };
    if let Some(problem) = problem {
        return refuse(state, dialog, CopyField::NewName, &escape_str(&problem));
    }
    let target = dialog.target.join(&name);
    match dialog.mode {
        Mode::Copy => queue(state, dialog, target, TargetKind::Auto, options),
        // A move within one directory is a rename.
        Mode::Move => vec![Effect::Rename { sources: dialog.sources, target }],
    }
}
