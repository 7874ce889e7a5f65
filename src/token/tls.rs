//! How STS trusts the TLS connection it fetches an issuer's keys over (aws-web-identity.md
//! §3.3): a chain that leads to a CA in AWS's library of trusted root CAs is accepted and the
//! provider's thumbprints are ignored; otherwise one of the provider's thumbprints must be the
//! SHA-1 of the top intermediate CA the host serves (the last certificate of its chain). AWS
//! does not publish its library; Mozilla's list of root CAs stands in for it.

/// A certificate chain one of the issuer's hosts served while trustlens fetched its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedChain {
    /// The host, as named in the discovery or JWKS URL.
    pub host: String,
    /// Whether the chain leads to a root CA of the trusted library (Mozilla's list, standing
    /// in for AWS's, which is not published).
    pub trusted: bool,
    /// Whether it leads to a root CA this machine trusts (its own CAs included).
    pub locally_trusted: bool,
    /// Lowercase hex SHA-1 of each certificate, in the order served: the host's own first.
    pub thumbprints: Vec<String>,
}

/// What STS would make of a [`ServedChain`] for a provider's thumbprints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostTrust {
    /// The chain leads to a trusted root CA: STS does not look at thumbprints.
    Library,
    /// A private chain, and the provider lists its top intermediate CA's thumbprint.
    TopIntermediate {
        /// The matching thumbprint.
        thumbprint: String,
    },
    /// A private chain whose top intermediate CA the provider does not list, but whose
    /// certificate at `position` (1 = the host's own) it does. IAM documents only the top
    /// intermediate CA's thumbprint, so whether STS accepts this is uncertain.
    OtherCertificate {
        /// The matching thumbprint.
        thumbprint: String,
        /// Where in the served chain it is, from 1.
        position: usize,
    },
    /// A private chain, with no provider to judge it by (`decode`): STS trusts it only when
    /// the provider lists `top`.
    NoProvider {
        /// The thumbprint that would match: the top intermediate CA's.
        top: String,
    },
    /// A chain whose root this machine trusts but the library does not, and that none of the
    /// provider's thumbprints matches: a company CA (STS refuses it), or a TLS-intercepting
    /// proxy re-signing the host (STS sees the host's own chain) — trustlens cannot tell.
    LocalOnly {
        /// The thumbprint that would match this chain: its top intermediate CA's.
        top: String,
    },
    /// A private chain none of the provider's thumbprints matches: STS refuses the keys.
    Mismatch {
        /// The thumbprint that would match: the top intermediate CA's.
        top: String,
    },
}

impl ServedChain {
    /// The thumbprint IAM documents for this host: its top intermediate CA's, the last
    /// certificate served.
    pub fn top(&self) -> &str {
        self.thumbprints.last().map_or("", String::as_str)
    }

    /// What STS would decide for this chain when the provider lists `provider` thumbprints
    /// (`None`: no provider known).
    pub fn trust(&self, provider: Option<&[String]>) -> HostTrust {
        if self.trusted {
            return HostTrust::Library;
        }
        let Some(provider) = provider else {
            return HostTrust::NoProvider {
                top: self.top().to_owned(),
            };
        };
        let listed = |thumbprint: &str| provider.iter().any(|t| t.eq_ignore_ascii_case(thumbprint));
        if listed(self.top()) {
            return HostTrust::TopIntermediate {
                thumbprint: self.top().to_owned(),
            };
        }
        match self.thumbprints.iter().position(|t| listed(t)) {
            Some(index) => HostTrust::OtherCertificate {
                thumbprint: self.thumbprints[index].clone(),
                position: index + 1,
            },
            None if self.locally_trusted => HostTrust::LocalOnly {
                top: self.top().to_owned(),
            },
            None => HostTrust::Mismatch {
                top: self.top().to_owned(),
            },
        }
    }

    /// That the chain is outside the trusted library, naming the host (and when this machine
    /// trusts its root).
    pub fn outside_library(&self) -> String {
        let host = &self.host;
        if self.locally_trusted {
            format!(
                "{host}'s certificate chains to a root CA this machine trusts but the trusted library (Mozilla's list, standing in for AWS's) does not, so STS treats it as a private CA"
            )
        } else {
            format!(
                "{host}'s certificate is not signed by a CA of the trusted library (a private CA)"
            )
        }
    }

    /// The words for `trust`, naming the host.
    pub fn describe(&self, trust: &HostTrust) -> String {
        let host = &self.host;
        let outside = self.outside_library();
        match trust {
            HostTrust::Library => format!(
                "{host}'s certificate chains to a root CA of the trusted library (Mozilla's list, standing in for AWS's), so STS ignores the provider's thumbprints (it falls back to them only when it cannot retrieve the certificate, or the host requires TLS 1.3)"
            ),
            HostTrust::TopIntermediate { thumbprint } => format!(
                "{outside}; the provider's thumbprint {thumbprint} is its top intermediate CA's, as STS requires"
            ),
            HostTrust::OtherCertificate {
                thumbprint,
                position,
            } => format!(
                "{outside}; the provider's thumbprint {thumbprint} is certificate {position} of the {} it serves, not the top intermediate CA's ({}) that IAM documents — whether STS accepts it is not documented",
                crate::printable::counted(self.thumbprints.len(), "certificate"),
                self.top()
            ),
            HostTrust::NoProvider { top } => format!(
                "{outside}: STS trusts it only when the provider lists {top}, its top intermediate CA's thumbprint"
            ),
            HostTrust::LocalOnly { top } => format!(
                "{host}'s certificate chains to a root CA this machine trusts but the trusted library (Mozilla's list, standing in for AWS's) does not: a company CA, or a TLS-intercepting proxy re-signing the host, which STS does not go through; if {host} itself serves this chain, STS refuses it unless the provider lists {top}, its top intermediate CA's thumbprint"
            ),
            HostTrust::Mismatch { top } => format!(
                "{outside}, and none of the provider's thumbprints is its top intermediate CA's ({top})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(trusted: bool) -> ServedChain {
        ServedChain {
            host: "idp.example".to_owned(),
            trusted,
            locally_trusted: trusted,
            thumbprints: vec!["aa".repeat(20), "bb".repeat(20)],
        }
    }

    /// aws-web-identity.md §3.3: a chain in AWS's trusted-CA library makes thumbprints unused.
    #[test]
    fn a_trusted_chain_ignores_thumbprints() {
        assert_eq!(chain(true).trust(Some(&[])), HostTrust::Library);
        assert_eq!(
            chain(true).trust(Some(&["cc".repeat(20)])),
            HostTrust::Library
        );
    }

    /// §3.3: for a private CA, the thumbprint of the top intermediate CA (the last certificate
    /// `openssl s_client -showcerts` lists) must be among the provider's; case does not matter.
    #[test]
    fn a_private_chain_needs_its_top_intermediate_thumbprint() {
        let private = chain(false);
        assert_eq!(
            private.trust(Some(&["CC".repeat(20), "BB".repeat(20)])),
            HostTrust::TopIntermediate {
                thumbprint: "bb".repeat(20)
            }
        );
        assert_eq!(
            private.trust(Some(&["cc".repeat(20)])),
            HostTrust::Mismatch {
                top: "bb".repeat(20)
            }
        );
        assert_eq!(
            private.trust(Some(&[])),
            HostTrust::Mismatch {
                top: "bb".repeat(20)
            }
        );
        assert_eq!(
            private.trust(None),
            HostTrust::NoProvider {
                top: "bb".repeat(20)
            }
        );
    }

    /// A root only this machine trusts may be a proxy's, not the host's: no verdict then.
    #[test]
    fn a_locally_trusted_chain_without_a_match_is_not_decided() {
        let mut company = chain(false);
        company.locally_trusted = true;
        let trust = company.trust(Some(&["cc".repeat(20)]));
        assert_eq!(
            trust,
            HostTrust::LocalOnly {
                top: "bb".repeat(20)
            }
        );
        assert!(company.describe(&trust).contains("TLS-intercepting proxy"));
        assert_eq!(
            company.trust(Some(&["bb".repeat(20)])),
            HostTrust::TopIntermediate {
                thumbprint: "bb".repeat(20)
            }
        );
    }

    /// §3.3 names only the top intermediate CA; a match elsewhere in the chain is reported as
    /// uncertain rather than decided.
    #[test]
    fn a_match_elsewhere_in_the_chain_is_uncertain() {
        let private = chain(false);
        let trust = private.trust(Some(&["aa".repeat(20)]));
        assert_eq!(
            trust,
            HostTrust::OtherCertificate {
                thumbprint: "aa".repeat(20),
                position: 1
            }
        );
        assert!(private.describe(&trust).contains("not documented"));
    }
}
