//! Connecting progress and the questions a connection asks (password,
//! passphrase, keyboard-interactive, host key, a host key warning).
//! Everything here came from the network or the user's config and is
//! escaped before it is drawn.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::input::field_widget;
use super::{dialog_width, hint_key, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{PromptDialog, Question, fields};
use crate::choices::Action;
use crate::text::escape_str;

const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];

pub(super) fn connecting(state: &State, host: &str, stage: &str, tick: usize, frame: &mut Frame) {
    let theme = &state.theme;
    let inner = popup(frame, theme, "Connecting", dialog_width(frame, 56), 4);
    let w = inner.width;
    let text = vec![
        line(&format!("{} {}", SPINNER[tick % SPINNER.len()], escape_str(host)), w, theme.dialog_title),
        line(&escape_str(stage), w, theme.dialog),
        line("", w, theme.dialog),
        line("Esc: cancel", w, theme.hint),
    ];
    lines(frame, inner, text);
}

pub(super) fn prompt(state: &State, dialog: &PromptDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let w = dialog_width(frame, 72);
    let (title, mut text) = match &dialog.question {
        Question::HostKey(key) => {
            let mut text = vec![
                line("The authenticity of host", w, theme.dialog),
                line(&format!("  {}", escape_str(&key.host)), w, theme.dialog_title),
                line("can't be established.", w, theme.dialog),
                line(&format!("{} key fingerprint is", escape_str(&key.key_type)), w, theme.dialog),
                line(&format!("  {}", escape_str(&key.fingerprint)), w, theme.dialog_title),
            ];
            if !key.known_key_types.is_empty() {
                let known = escape_str(&key.known_key_types.join(", "));
                text.push(line(&format!("(known_hosts has other keys for it: {known})"), w, theme.hint));
            }
            text.push(line("Compare it with the server's; accept and remember it?", w, theme.dialog));
            text.push(line("", w, theme.dialog));
            let file = escape_str(&key.known_hosts_file.to_string_lossy());
            let (yes, no) = (hint_key(state, Action::ConfirmYes), hint_key(state, Action::ConfirmNo));
            text.push(line(&format!("{yes}: yes, connect and add to {file}    {no}/Esc: no"), w, theme.hint));
            ("Unknown host key", text)
        }
        Question::Confirm { host, text } => {
            let mut lines_ =
                vec![line(&format!("Connecting to {}", escape_str(host)), w, theme.dialog_title)];
            lines_.extend(text.lines().take(12).map(|l| line(&escape_str(l), w, theme.dialog)));
            lines_.push(line("Go on connecting?", w, theme.dialog));
            lines_.push(line("", w, theme.dialog));
            let (yes, no) = (hint_key(state, Action::ConfirmYes), hint_key(state, Action::ConfirmNo));
            lines_.push(line(&format!("{yes}: yes, connect    {no}/Esc: no"), w, theme.hint));
            ("Host key warning", lines_)
        }
        Question::KeyboardInteractive { host, user, name, instruction, .. } => {
            let mut text = vec![line(
                &format!("Login to {}@{}", escape_str(user), escape_str(host)),
                w,
                theme.dialog_title,
            )];
            for extra in [name, instruction] {
                text.extend(
                    extra
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| line(&escape_str(l), w, theme.dialog)),
                );
            }
            ("Authentication", text)
        }
        Question::Message { host, text } => {
            let mut lines_ = vec![line(&format!("Message from {}", escape_str(host)), w, theme.dialog_title)];
            lines_.extend(text.lines().take(12).map(|l| line(&escape_str(l), w, theme.dialog)));
            lines_.push(line("", w, theme.dialog));
            lines_.push(line("Enter: continue", w, theme.hint));
            ("Message", lines_)
        }
        Question::Password { .. } => ("Password", Vec::new()),
        Question::SudoPassword { host, .. } => (
            "Become root",
            vec![line(
                &format!("Commands on {} run as root through sudo.", escape_str(host)),
                w,
                theme.dialog,
            )],
        ),
        Question::Passphrase { .. } => ("Key passphrase", Vec::new()),
    };
    let labels = fields(&dialog.question);
    let first_field = text.len();
    for (label, _) in &labels {
        text.push(line(&escape_str(label), w, theme.dialog));
        text.push(line("", w, theme.dialog));
    }
    if !labels.is_empty() {
        text.push(line("Enter: next/confirm    Esc: cancel", w, theme.hint));
    }
    let inner = popup(frame, theme, title, w, text.len() as u16);
    lines(frame, inner, std::mem::take(&mut text));
    // The active field is drawn last: it owns the terminal cursor.
    let order = (0..dialog.inputs.len()).filter(|&i| i != dialog.field).chain([dialog.field]);
    for i in order {
        let Some(input) = dialog.inputs.get(i) else { continue };
        let y = inner.y + (first_field + 2 * i + 1) as u16;
        if y < inner.y + inner.height {
            field_widget(frame, Rect { y, height: 1, ..inner }, input, theme);
        }
    }
}
