//! Terminal setup and the guarantees around it: raw mode and the alternate screen are undone by
//! a drop guard, by a panic hook, and on SIGTERM/SIGINT/SIGHUP.

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use std::io::{self, Stdout, Write};
use std::sync::Once;

/// The terminal in explorer mode; dropping it restores the user's terminal.
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    /// Enters raw mode, the alternate screen and mouse capture.
    pub fn enter() -> io::Result<Self> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            EnableMouseCapture,
            cursor::Hide
        ) {
            restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back: cooked mode, main screen, no mouse capture, cursor shown.
/// Safe to call more than once: the drop guard, the panic hook and a signal may all run it.
pub fn restore() {
    let _ = restore_to(&mut io::stdout());
}

/// [`restore`] writing its escape sequences to `out`. Leaving raw mode when it is not on, or
/// the alternate screen when it is not shown, is a no-op, so repeating it changes nothing.
pub fn restore_to(out: &mut impl Write) -> io::Result<()> {
    let raw = disable_raw_mode();
    execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show)?;
    raw
}

/// A panic restores the terminal before the message is printed, so the message is readable.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// On SIGTERM or SIGHUP (the terminal went away), restores the terminal and exits from a
/// dedicated thread: the main thread may be blocked inside the terminal backend, which spins on a
/// closed tty, so a flag it polls would never be seen. (SIGINT does not arrive in raw mode:
/// Ctrl-C is a key there.)
pub fn exit_on_termination_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGTERM};
        if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP]) {
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    restore();
                    std::process::exit(128 + signal);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_is_idempotent() {
        let mut first = Vec::new();
        let mut second = Vec::new();
        restore_to(&mut first).expect("restore without raw mode");
        restore_to(&mut second).expect("restore again");
        assert_eq!(
            first, second,
            "a second restore does the same, harmless thing"
        );
        let text = String::from_utf8(first).unwrap();
        for sequence in ["\x1b[?1049l", "\x1b[?25h"] {
            assert!(text.contains(sequence), "{text:?} lacks {sequence:?}");
        }
        assert!(!crossterm::terminal::is_raw_mode_enabled().unwrap_or(false));
    }
}
