//! Actions: what a key asks for, independent of which key it was.

/// A user command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter the directory under the cursor.
    Open,
    /// Go to the parent directory.
    Parent,
    SwitchPane,
    Quit,
}
