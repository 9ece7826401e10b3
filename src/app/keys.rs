//! The built-in key bindings.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;

/// The action bound to `key`, if any.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Up | KeyCode::Char('k') if !ctrl => Action::Up,
        KeyCode::Down | KeyCode::Char('j') if !ctrl => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Home => Action::Home,
        KeyCode::End => Action::End,
        KeyCode::Enter | KeyCode::Right => Action::Open,
        KeyCode::Backspace | KeyCode::Left => Action::Parent,
        KeyCode::Tab => Action::SwitchPane,
        KeyCode::Char('q') if !ctrl => Action::Quit,
        KeyCode::F(10) => Action::Quit,
        KeyCode::Char('c') if ctrl => Action::Quit,
        _ => return None,
    })
}
