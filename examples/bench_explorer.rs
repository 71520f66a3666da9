//! Headless explorer benchmark: builds the TUI state for a bundle and measures, on a 120×40
//! `TestBackend`, the time of the first frame, of `update` per key and of `render` per frame
//! (j/k, PgDn/PgUp, G/g, `/` filter typing) in the Graph tab. The JSON pane's document is read
//! off the frame (the explorer's reader thread); here it is read after each frame and timed on
//! its own (`json read`).
//!
//! Usage: `cargo run --release --example bench_explorer -- BUNDLE [--keys N]`. Prints one line
//! per measurement (`name  median_ms  p95_ms  max_ms  count`) after the load times.

use evx::pipeline::{load_path, Options};
use evx::progress::NoProgress;
use evx::tui::action::{Action, Command, Loaded, Tab};
use evx::tui::app::App;
use evx::tui::reader::read_now;
use evx::tui::theme::Theme;
use evx::tui::update::update;
use evx::tui::view::render;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The allocator the `evx` binary uses: the explorer's load and the verification it measures
/// allocate heavily, and the system allocator would time something users never run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;
/// Typed into the Graph filter one character at a time.
const FILTER: &str = "pkg:npm/ar";

struct Series {
    name: String,
    update: Vec<Duration>,
    render: Vec<Duration>,
    /// Reading the JSON pane's document after the frame, when the key asked for one.
    read: Vec<Duration>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn stats(v: &[Duration]) -> (f64, f64, f64) {
    let mut s: Vec<f64> = v.iter().map(|d| ms(*d)).collect();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let at = |q: f64| s[((s.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95), s[s.len() - 1])
}

fn main() {
    let started = Instant::now();
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next().map(PathBuf::from) else {
        eprintln!("usage: bench_explorer BUNDLE [--keys N]");
        std::process::exit(2);
    };
    let keys: usize = match (args.next().as_deref(), args.next()) {
        (Some("--keys"), Some(n)) => n.parse().unwrap_or(50),
        _ => 50,
    };
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    let mut app = App::new(path.clone(), Theme { color: true }, WIDTH, HEIGHT);
    terminal.draw(|f| render(&app, f)).expect("draw");
    let first_frame = started.elapsed();

    let t = Instant::now();
    let (bundle, model) = load_path(&path, &Options::default(), &NoProgress).expect("loads");
    let load = t.elapsed();
    let nodes = model.graph.node_count();
    let t = Instant::now();
    update(&mut app, Action::Loaded(Box::new(Loaded { model, bundle })));
    let build_state = t.elapsed();
    let t = Instant::now();
    terminal.draw(|f| render(&app, f)).expect("draw");
    let first_ready_frame = t.elapsed();
    let t = Instant::now();
    update(&mut app, Action::Command(Command::GoTab(Tab::Graph)));
    terminal.draw(|f| render(&app, f)).expect("draw");
    let graph_tab = t.elapsed();

    println!("bundle            {}", path.display());
    println!("graph nodes       {nodes}");
    println!(
        "first frame       {:.1} ms after start (loading screen)",
        ms(first_frame)
    );
    println!("load (reconcile)  {:.1} ms", ms(load));
    println!(
        "build app state   {:.1} ms (update(Loaded))",
        ms(build_state)
    );
    println!(
        "first ready frame {:.1} ms (Overview)",
        ms(first_ready_frame)
    );
    println!(
        "open Graph tab    {:.1} ms (update + render)",
        ms(graph_tab)
    );

    let mut series: Vec<Series> = Vec::new();
    let mut run = |name: &str, n: usize, action: &dyn Fn(usize) -> Action, app: &mut App| {
        let mut s = Series {
            name: name.to_string(),
            update: Vec::new(),
            render: Vec::new(),
            read: Vec::new(),
        };
        for i in 0..n {
            let a = action(i);
            let t = Instant::now();
            update(app, a);
            s.update.push(t.elapsed());
            let t = Instant::now();
            terminal.draw(|f| render(app, f)).expect("draw");
            s.render.push(t.elapsed());
            let t = Instant::now();
            if let Some(answer) = read_now(app) {
                update(app, answer);
                s.read.push(t.elapsed());
            }
        }
        series.push(s);
    };
    let cmd = |c: Command| move |_: usize| Action::Command(c);
    run("j (down)", keys, &cmd(Command::Down), &mut app);
    run("k (up)", keys, &cmd(Command::Up), &mut app);
    run("PgDn", keys, &cmd(Command::PageDown), &mut app);
    run("PgUp", keys, &cmd(Command::PageUp), &mut app);
    run("G (bottom)", 5, &cmd(Command::Bottom), &mut app);
    run("g (top)", 5, &cmd(Command::Top), &mut app);
    run("/ (open filter)", 1, &cmd(Command::StartFilter), &mut app);
    let typed: Vec<char> = FILTER.chars().collect();
    run(
        "filter keystroke",
        typed.len(),
        &|i| Action::FilterChar(typed[i]),
        &mut app,
    );
    run(
        "filter backspace",
        4,
        &|_| Action::FilterBackspace,
        &mut app,
    );
    run("filter accept", 1, &|_| Action::FilterAccept, &mut app);
    run("j (filtered)", keys, &cmd(Command::Down), &mut app);
    run("Esc (clear filter)", 1, &cmd(Command::Close), &mut app);

    println!();
    println!(
        "{:<20} {:>11} {:>11} {:>11} {:>11} {:>6} {:>15}",
        "key", "update med", "render med", "total med", "total p95", "n", "json read med/p95"
    );
    for s in &series {
        let (um, _, _) = stats(&s.update);
        let (rm, _, _) = stats(&s.render);
        let total: Vec<Duration> = s
            .update
            .iter()
            .zip(&s.render)
            .map(|(u, r)| *u + *r)
            .collect();
        let (tm, tp, _) = stats(&total);
        let read = match stats(&s.read) {
            _ if s.read.is_empty() => "-".to_string(),
            (med, p95, _) => format!("{med:.2} / {p95:.2} ms"),
        };
        println!(
            "{:<20} {:>8.2} ms {:>8.2} ms {:>8.2} ms {:>8.2} ms {:>6} {:>17}",
            s.name,
            um,
            rm,
            tm,
            tp,
            s.update.len(),
            read
        );
    }
}
