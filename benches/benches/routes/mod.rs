//! What the benches over the full routing table share: the table itself and a seeded
//! generator to draw addresses from it.

use netstack::route::{Ipv4Cidr, Ipv6Cidr};
use std::io::Read;
use std::path::PathBuf;

/// The prefixes of `../shared/data/routes/prefixes.txt.gz` (or of the file named by
/// `RAYOS_ROUTES`): IPv4 and IPv6.
pub(crate) fn load() -> (Vec<Ipv4Cidr>, Vec<Ipv6Cidr>) {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("RAYOS_ROUTES").map(PathBuf::from),
        Some(manifest.join("../../shared/data/routes/prefixes.txt.gz")),
        Some(manifest.join("../../../shared/data/routes/prefixes.txt.gz")),
    ];
    let path = candidates
        .iter()
        .flatten()
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "the full routing table is missing: expected ../shared/data/routes/prefixes.txt.gz \
             beside the repository root, or a path in RAYOS_ROUTES"
            )
        });
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open prefixes.txt.gz"))
        .read_to_string(&mut text)
        .expect("gunzip prefixes.txt.gz");
    let (mut v4, mut v6) = (Vec::new(), Vec::new());
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.contains(':') {
            v6.push(line.parse().expect("IPv6 prefix"));
        } else {
            v4.push(line.parse().expect("IPv4 prefix"));
        }
    }
    (v4, v6)
}

/// SplitMix64, seeded.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
