//! Connecting progress and the questions a connection asks (password,
//! passphrase, keyboard-interactive, host key). Everything here came from
//! the network or the user's config and is escaped before it is drawn.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::input::field_widget;
use super::{dialog_width, line, lines, popup};
use crate::app::State;
use crate::app::dialog::{PromptDialog, Question};
use crate::text::escape_str;

const SPINNER: [char; 8] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧'];

pub fn connecting(state: &State, host: &str, stage: &str, tick: usize, frame: &mut Frame) {
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

pub fn prompt(state: &State, dialog: &PromptDialog, frame: &mut Frame) {
    let theme = &state.theme;
    let w = dialog_width(frame, 72);
    let (title, mut text) = match &dialog.question {
        Question::HostKey { host, key_type, fingerprint } => {
            let text = vec![
                line(
                    &format!("The authenticity of host {} can't be established.", escape_str(host)),
                    w,
                    theme.dialog,
                ),
                line(&format!("{} key fingerprint is", escape_str(key_type)), w, theme.dialog),
                line(&format!("  {}", escape_str(fingerprint)), w, theme.dialog_title),
                line("Compare it with the server's; accept and remember it?", w, theme.dialog),
                line("", w, theme.dialog),
                line("y: yes, connect and add to known_hosts    n/Esc: no", w, theme.hint),
            ];
            ("Unknown host key", text)
        }
        Question::KeyboardInteractive { account, name, instruction, .. } => {
            let mut text = vec![line(&format!("Login to {}", escape_str(account)), w, theme.dialog_title)];
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
        Question::Password { .. } => ("Password", Vec::new()),
        Question::Passphrase { .. } => ("Key passphrase", Vec::new()),
    };
    let fields = dialog.question.fields();
    let first_field = text.len();
    for (label, _) in &fields {
        text.push(line(&escape_str(label), w, theme.dialog));
        text.push(line("", w, theme.dialog));
    }
    if !fields.is_empty() {
        text.push(line("Enter: next/confirm    Esc: cancel", w, theme.hint));
    }
    let inner = popup(frame, theme, title, w, text.len() as u16);
    lines(frame, inner, std::mem::take(&mut text));
    for (i, input) in dialog.inputs.iter().enumerate() {
        let y = inner.y + (first_field + 2 * i + 1) as u16;
        if y < inner.y + inner.height {
            // Only the active field shows the cursor: draw it last.
            if i != dialog.field {
                field_widget(frame, Rect { y, height: 1, ..inner }, input, theme);
            }
        }
    }
    if let Some(input) = dialog.inputs.get(dialog.field) {
        let y = inner.y + (first_field + 2 * dialog.field + 1) as u16;
        if y < inner.y + inner.height {
            field_widget(frame, Rect { y, height: 1, ..inner }, input, theme);
        }
    }
}
