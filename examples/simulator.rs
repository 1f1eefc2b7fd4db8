//! Runs the provider simulator on loopback until interrupted, for trying `ticket-export` by hand
//! and for the benchmarks: `cargo run --release --example simulator -- [--latency-ms N]`.
//! It prints its base URL and the token every simulated provider accepts.

fn main() {
    let mut latency = 0u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().and_then(|v| v.parse().ok())) {
            ("--latency-ms", Some(ms)) => latency = ms,
            _ => {
                eprintln!("usage: simulator [--latency-ms N]");
                std::process::exit(2);
            }
        }
    }
    let sim = ticket_export::simulator::Simulator::start().expect("bind 127.0.0.1");
    sim.set_latency(std::time::Duration::from_millis(latency));
    println!("{}", sim.base_url());
    println!("token: {}", ticket_export::simulator::SIM_TOKEN);
    loop {
        std::thread::park();
    }
}
