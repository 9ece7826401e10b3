//! Handing the terminal to `$EDITOR` and taking it back: the screen is
//! restored to normal mode while the editor runs, then raw mode, the
//! alternate screen and mouse capture come back and everything is redrawn.

use std::io;
use std::path::Path;

use crossterm::terminal::{Clear, ClearType};

use super::terminal::{Tty, resume, suspend};
use crate::app::WorkError;

/// Runs `editor` (a command line; the file is added as the last argument)
/// on `file` in the foreground. Returns whether the editor succeeded.
pub(super) async fn run(
    terminal: &mut Tty,
    editor: &str,
    file: &Path,
    mouse: bool,
) -> io::Result<Result<(), WorkError>> {
    let mut words = editor.split_whitespace();
    let Some(program) = words.next() else {
        return Ok(Err(WorkError::NoEditor));
    };
    suspend(mouse)?;
    let status = tokio::process::Command::new(program).args(words).arg(file).status().await;
    resume(mouse)?;
    // `Terminal::clear` would ask the terminal for the cursor position, racing
    // the input reader that is being restarted; clear directly, then draw an
    // empty frame so the next draw repaints every cell.
    crossterm::execute!(std::io::stdout(), Clear(ClearType::All))?;
    terminal.draw(|_| {})?;
    Ok(match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(WorkError::EditorFailed { editor: editor.to_owned(), status }),
        Err(source) => Err(WorkError::EditorNotRun { editor: editor.to_owned(), source }),
    })
}
