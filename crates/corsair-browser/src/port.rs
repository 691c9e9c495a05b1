//! The ports Chromium never connects to over http(s): a fetch of a URL on one of them fails
//! with `net::ERR_UNSAFE_PORT` before anything is sent, whatever the server would answer (and a
//! redirect to one fails the same way). They are services a page must not be able to talk to
//! through a browser (SSH, SMTP, IRC, X11, ...): Chromium's `kRestrictedPorts` in
//! [net/base/port_util.cc], the Fetch standard's [bad ports] plus port 0.
//!
//! The table was checked against Debian's Chromium 156: ports 0, 22, 69, 989, 1719, 5060, 6697
//! and 10080 fail with `net::ERR_UNSAFE_PORT`; 4190 and 6679, bad ports of the current Fetch
//! standard, are still connected to.
//!
//! [net/base/port_util.cc]: https://source.chromium.org/chromium/chromium/src/+/main:net/base/port_util.cc
//! [bad ports]: https://fetch.spec.whatwg.org/#bad-port

/// Every port Chromium refuses for `http:` and `https:` URLs, sorted.
pub const UNSAFE_PORTS: [u16; 81] = [
    0,     // not a port a server listens on
    1,     // tcpmux
    7,     // echo
    9,     // discard
    11,    // systat
    13,    // daytime
    15,    // netstat
    17,    // qotd
    19,    // chargen
    20,    // ftp-data
    21,    // ftp
    22,    // ssh
    23,    // telnet
    25,    // smtp
    37,    // time
    42,    // name
    43,    // nicname
    53,    // domain
    69,    // tftp
    77,    // priv-rjs
    79,    // finger
    87,    // ttylink
    95,    // supdup
    101,   // hostname
    102,   // iso-tsap
    103,   // gppitnp
    104,   // acr-nema
    109,   // pop2
    110,   // pop3
    111,   // sunrpc
    113,   // auth
    115,   // sftp
    117,   // uucp-path
    119,   // nntp
    123,   // ntp
    135,   // epmap
    137,   // netbios-ns
    139,   // netbios-ssn
    143,   // imap
    161,   // snmp
    179,   // bgp
    389,   // ldap
    427,   // svrloc
    465,   // submissions
    512,   // exec
    513,   // login
    514,   // shell
    515,   // printer
    526,   // tempo
    530,   // courier
    531,   // chat
    532,   // netnews
    540,   // uucp
    548,   // afp
    554,   // rtsp
    556,   // remotefs
    563,   // nntps
    587,   // submission
    601,   // syslog-conn
    636,   // ldaps
    989,   // ftps-data
    990,   // ftps
    993,   // imaps
    995,   // pop3s
    1719,  // h323gatestat
    1720,  // h323hostcall
    1723,  // pptp
    2049,  // nfs
    3659,  // apple-sasl
    4045,  // npp (lockd)
    5060,  // sip
    5061,  // sips
    6000,  // x11
    6566,  // sane-port
    6665,  // irc
    6666,  // irc
    6667,  // irc
    6668,  // irc
    6669,  // irc
    6697,  // ircs-u
    10080, // amanda
];

/// Whether Chromium refuses to connect to `port` for an `http:` or `https:` URL
/// (`net::ERR_UNSAFE_PORT`).
///
/// ```
/// use corsair_browser::is_unsafe_port;
///
/// assert!(is_unsafe_port(22));
/// assert!(is_unsafe_port(6667));
/// assert!(!is_unsafe_port(443));
/// assert!(!is_unsafe_port(8080));
/// ```
pub fn is_unsafe_port(port: u16) -> bool {
    UNSAFE_PORTS.binary_search(&port).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_without_duplicates() {
        assert!(UNSAFE_PORTS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn ports_checked_against_chromium() {
        let table = [
            (0, true),
            (22, true),
            (69, true),
            (989, true),
            (1719, true),
            (5060, true),
            (6697, true),
            (10080, true),
            (80, false),
            (443, false),
            (4190, false),
            (6679, false),
            (8124, false),
            (65535, false),
        ];
        for (port, unsafe_port) in table {
            assert_eq!(is_unsafe_port(port), unsafe_port, "{port}");
        }
        // Every other port of the table is refused too.
        assert!(UNSAFE_PORTS.iter().all(|&p| is_unsafe_port(p)));
    }
}
