//! Prints smoltcp's netsim table (socket buffer size x loss rate, throughput in bytes
//! per second) as smoltcp's own `tests/netsim.rs` prints it, run on
//! `rayos_net_benches::netsim` with smoltcp 0.14 from crates.io.
//!
//! `cargo run --release -p rayos-net-benches --example netsim` prints the whole
//! table; `-- BUFFER LOSS` runs one cell and prints its details.

use std::time::Instant;

use rayos_net_benches::netsim::{BUFFERS, FlowSpec, LOSSES, smoltcp_flow};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [buffer, loss] = args.as_slice() {
        let spec = FlowSpec::netsim(
            buffer.parse().expect("BUFFER: bytes"),
            loss.parse().expect("LOSS: a probability"),
        );
        let start = Instant::now();
        let r = smoltcp_flow(&spec);
        println!("{spec:?}");
        println!("{r:#?}");
        println!("wall time {:?}", start.elapsed());
        return;
    }
    let start = Instant::now();
    let mut s = String::from("buf\\loss");
    for loss in LOSSES {
        s += &format!("{loss:9.3} ");
    }
    s.push('\n');
    print!("{s}");
    for buffer in BUFFERS {
        let mut line = format!("{buffer:7}");
        for loss in LOSSES {
            let r = smoltcp_flow(&FlowSpec::netsim(buffer, loss));
            assert!(r.completed, "{buffer} {loss}: stalled: {r:?}");
            assert_eq!(r.first_mismatch, None, "{buffer} {loss}: corrupt stream");
            line += &format!(" {:9.2}", r.throughput);
        }
        println!("{line}");
    }
    eprintln!("wall time {:?}", start.elapsed());
}
