//! Hosts: the picker, connecting (with progress, cancel and questions),
//! recent connections and bookmarks.

use std::path::PathBuf;

use crate::app::WorkError;
use crate::app::dialog::{
    Dialog, HostPicker, InputDialog, LineInput, PickItem, PromptDialog, Purpose, Question, Reply, Source,
    fields,
};
use crate::app::effect::Effect;
use crate::app::history::Nav;
use crate::app::messages::Note;
use crate::app::side::Side;
use crate::app::state::{Connecting, State};
use crate::app::target::Target;
use crate::config::{Bookmark, RECENT_LIMIT};
use crate::fs::Location;
use crate::ssh::{self, Destination};
use crate::text::escape_str;

/// How a location is written as a target (bookmarks): text that
/// `Target::parse` reads back as the same place (an `ssh://` URI when the
/// host has a port).
/// A location as typed (go-to, bookmarks): a host used as root without its
/// mark, whether as root being the host's setting.
pub(super) fn target_text(location: &Location) -> String {
    match location {
        Location::Local(path) => path.to_string_lossy().into_owned(),
        Location::Remote { host, path } => match ssh::Target::parse(ssh::plain_host(host)) {
            Ok(target) => Destination { target, path: Some(path.clone().into_os_string()) }.text(),
            Err(_) => format!("{}:{}", ssh::plain_host(host), path.to_string_lossy()),
        },
    }
}

pub(super) fn open_picker(state: &mut State) -> Vec<Effect> {
    open_picker_for(state, state.focus)
}

/// Opens the picker for the pane on `side`: this machine (where a pane was
/// last on it), bookmarks, recent hosts (each with its last directory),
/// then the ssh config's hosts when they arrive.
pub(super) fn open_picker_for(state: &mut State, side: Side) -> Vec<Effect> {
    let token = state.token();
    let local = state.last_local_dir().to_string_lossy().into_owned();
    let mut items = vec![PickItem::new("this machine", local, Source::Local)];
    items.extend(state.bookmarks.iter().map(|b| PickItem::new(&b.name, &b.target, Source::Bookmark)));
    items.extend(state.recent.hosts.iter().map(|r| {
        let source = if state.recent.typed.contains(r) { Source::Typed } else { Source::Recent };
        PickItem { dir: state.recent_dirs.get(r).cloned(), ..PickItem::new(r, r, source) }
    }));
    state.dialogs.push(Dialog::HostPicker(HostPicker::new(side, token, items)));
    vec![Effect::LoadSshHosts { token }]
}

/// The ssh config's hosts arrived: listed, then every listed host is
/// resolved to show where it goes.
pub(super) fn ssh_hosts(state: &mut State, token: u64, hosts: Vec<(String, String)>) -> Vec<Effect> {
    if let Some(Dialog::HostPicker(picker)) = state.dialogs.last_mut()
        && picker.token == token
    {
        picker.add(hosts.into_iter().map(|(alias, origin)| PickItem {
            origin: Some(origin),
            ..PickItem::new(&alias, &alias, Source::SshConfig)
        }));
        state.needs_render = true;
        return vec![Effect::ResolveHosts { token, hosts: picker.remote_hosts() }];
    }
    Vec::new()
}

pub(super) fn host_addresses(state: &mut State, token: u64, addresses: Vec<(String, String)>) -> Vec<Effect> {
    if let Some(Dialog::HostPicker(picker)) = state.dialogs.last_mut()
        && picker.token == token
    {
        picker.set_addresses(addresses);
        state.needs_render = true;
    }
    Vec::new()
}

/// Enter in the picker: the highlighted item (a recent host in its last
/// directory), or the typed text when nothing matches.
pub(super) fn choose(state: &mut State, picker: HostPicker) -> Vec<Effect> {
    let (text, dir, typed) = match picker.chosen() {
        Some(item) => (item.target.clone(), item.dir.clone(), item.source == Source::Typed),
        None => (picker.input.text().trim().to_owned(), None, true),
    };
    if text.is_empty() {
        return Vec::new();
    }
    match Target::parse(&text, true) {
        Ok(Target::Remote { host, path }) => {
            let target = Target::Remote { host, path: path.or(dir) };
            open_target_as(state, picker.side, target, typed)
        }
        Ok(target) => open_target(state, picker.side, target),
        Err(e) => {
            state.error(escape_str(&e.to_string()));
            state.dialogs.push(Dialog::HostPicker(picker));
            Vec::new()
        }
    }
}

/// Delete in the picker: forget a bookmark or a recent connection.
pub(super) fn forget(state: &mut State) -> Vec<Effect> {
    let Some(Dialog::HostPicker(picker)) = state.dialogs.last_mut() else { return Vec::new() };
    let Some(&index) = picker.matches.get(picker.selected) else { return Vec::new() };
    let item = picker.items[index].clone();
    let effect = match item.source {
        Source::Bookmark => {
            state.bookmarks.retain(|b| !(b.name == item.label && b.target == item.target));
            save_bookmarks(state)
        }
        Source::Recent | Source::Typed => {
            state.recent.hosts.retain(|r| r != &item.target);
            state.recent.typed.retain(|r| r != &item.target);
            state.recent_dirs.remove(&item.target);
            let mut effects: Vec<Effect> = save_recent(state).into_iter().collect();
            effects.extend(super::recent_dirs::save(state));
            forget_item(state, index);
            return effects;
        }
        Source::Local | Source::SshConfig => {
            let why = match item.origin {
                Some(origin) => format!("{} is read from {origin}: edit that file to remove it", item.label),
                None => "this machine is always listed".to_owned(),
            };
            state.hint(escape_str(&why));
            return Vec::new();
        }
    };
    forget_item(state, index);
    effect.into_iter().collect()
}

fn forget_item(state: &mut State, index: usize) {
    if let Some(Dialog::HostPicker(picker)) = state.dialogs.last_mut() {
        picker.items.remove(index);
        picker.refilter();
    }
}

/// Shows `target` in the pane: at once for local paths and hosts already
/// connected, after connecting otherwise. A host named here counts as
/// typed (the command line, go-to).
pub fn open_target(state: &mut State, side: Side, target: Target) -> Vec<Effect> {
    open_target_as(state, side, target, true)
}

/// [`open_target`]; `typed` says whether the host was typed by hand.
pub(super) fn open_target_as(state: &mut State, side: Side, target: Target, typed: bool) -> Vec<Effect> {
    match target {
        Target::Local(path) => {
            let path = if path.is_relative() { state.home.join(path) } else { path };
            let location = Location::Local(super::panes::normalize(&path));
            super::panes::navigate(state, side, location, None, Nav::Visit)
        }
        Target::Remote { host, path } => {
            let host = super::as_root::host_for(state, &host);
            if let Some(home) = state.connected.get(&host) {
                let location = remote_location(&host, home, path);
                return super::panes::navigate(state, side, location, None, Nav::Visit);
            }
            if let Some(old) = state.connecting.take() {
                state.dialogs.retain(|d| !matches!(d, Dialog::Connecting { id, .. } if *id == old.id));
            }
            let id = state.token();
            state.connecting = Some(Connecting { id, side, host: host.clone(), path, typed });
            let stage = "starting".to_owned();
            state.dialogs.push(Dialog::Connecting { id, host: host.clone(), stage, frame: 0 });
            vec![Effect::Connect { id, host }, Effect::Ticks { on: true }]
        }
    }
}

fn remote_location(host: &str, home: &std::path::Path, path: Option<PathBuf>) -> Location {
    let path = match path {
        Some(path) if path.is_absolute() => path,
        Some(path) => home.join(path),
        None => home.to_path_buf(),
    };
    Location::Remote { host: host.to_owned(), path: super::panes::normalize(&path) }
}

pub(super) fn stage(state: &mut State, id: u64, text: String) -> Vec<Effect> {
    for dialog in &mut state.dialogs {
        if let Dialog::Connecting { id: shown, stage, .. } = dialog
            && *shown == id
        {
            *stage = escape_str(&text);
            state.needs_render = true;
        }
    }
    Vec::new()
}

/// A connection's question: always a modal on top (a reconnect may ask too;
/// questions of a cancelled connection are declined before they get here).
pub(super) fn prompt(state: &mut State, question: Question, reply: Reply) -> Vec<Effect> {
    let inputs = fields(&question)
        .into_iter()
        .map(|(_, echo)| if echo { LineInput::default() } else { LineInput::secret() })
        .collect();
    state.dialogs.push(Dialog::Prompt(PromptDialog { question, inputs, field: 0, reply }));
    state.needs_render = true;
    Vec::new()
}

/// Esc while connecting: stop waiting; the connection is abandoned.
pub(super) fn cancel(state: &mut State) -> Vec<Effect> {
    let Some(connecting) = state.connecting.take() else { return Vec::new() };
    state.dialogs.retain(|d| !matches!(d, Dialog::Connecting { id, .. } if *id == connecting.id));
    state.report(Note::info(&format!("connection to {} cancelled", connecting.host)).host(&connecting.host));
    vec![Effect::CancelConnect { id: connecting.id }, Effect::Ticks { on: false }]
}

pub(super) fn connected(state: &mut State, id: u64, result: Result<PathBuf, WorkError>) -> Vec<Effect> {
    let Some(connecting) = state.connecting.take_if(|c| c.id == id) else { return Vec::new() };
    state.needs_render = true;
    state.dialogs.retain(|d| !matches!(d, Dialog::Connecting { id: shown, .. } if *shown == id));
    let mut effects = vec![Effect::Ticks { on: false }];
    match result {
        Ok(home) => {
            state.connected.insert(connecting.host.clone(), home.clone());
            let location = remote_location(&connecting.host, &home, connecting.path);
            state.report(Note::info(&format!("connected to {}", connecting.host)).host(&connecting.host));
            // `[user@]host[:port]`, as the host picker reads it (whether
            // as root is the host's setting).
            let text = crate::ssh::plain_host(&connecting.host).to_owned();
            let recent = &mut state.recent;
            recent.hosts.retain(|r| r != &text);
            recent.hosts.insert(0, text.clone());
            recent.hosts.truncate(RECENT_LIMIT);
            if connecting.typed && !recent.typed.contains(&text) {
                recent.typed.push(text);
            }
            effects.extend(save_recent(state));
            let home = remote_location(&connecting.host, &home, None);
            effects.extend(super::panes::navigate(state, connecting.side, location, None, Nav::Visit));
            // A path that cannot be listed shows the home, saying why.
            if let Some(pending) = &mut state.pane_mut(connecting.side).pending {
                pending.fallback = Some(home);
            }
        }
        Err(error) => state.failed(Some(&connecting.host), &error),
    }
    effects
}

pub(super) fn start_bookmark(state: &mut State) {
    let location = &state.focused().location;
    let name = match location.path().file_name() {
        Some(name) => name.to_string_lossy().into_owned(),
        None => location.host().unwrap_or("/").to_owned(),
    };
    let target = target_text(location);
    state.dialogs.push(Dialog::Input(InputDialog::new(Purpose::Bookmark { target }, &name)));
}

pub(super) fn add_bookmark(state: &mut State, target: String, name: &str) -> Result<Vec<Effect>, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("type a name for the bookmark".into());
    }
    state.bookmarks.retain(|b| b.name != name);
    state.bookmarks.push(Bookmark { name: name.to_owned(), target });
    state.info(format!("bookmarked as {name:?}; open it with the host picker"));
    Ok(save_bookmarks(state).into_iter().collect())
}

fn save_bookmarks(state: &State) -> Option<Effect> {
    let dir = state.config_dir.clone()?;
    Some(Effect::SaveBookmarks { dir, bookmarks: state.bookmarks.clone() })
}

pub(super) fn save_recent(state: &State) -> Option<Effect> {
    let dir = state.config_dir.clone()?;
    Some(Effect::SaveRecent { dir, recent: state.recent.clone() })
}
