//! Location from the IP address with a MaxMind-format database (GeoIP2/GeoLite2 City or
//! Country). Without a database, or for an address it does not know, the location is Unknown.

use frontdesk_core::model::Location;
use maxminddb::{Reader, geoip2};
use std::net::IpAddr;
use std::path::Path;

pub struct GeoLookup {
    reader: Option<Reader<Vec<u8>>>,
}

impl GeoLookup {
    pub fn none() -> GeoLookup {
        GeoLookup { reader: None }
    }

    pub fn open(path: &Path) -> Result<GeoLookup, String> {
        Reader::open_readfile(path)
            .map(|r| GeoLookup { reader: Some(r) })
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn lookup(&self, ip: IpAddr) -> Location {
        let Some(reader) = &self.reader else {
            return Location::unknown();
        };
        let city: Option<geoip2::City> = reader.lookup(ip).ok().flatten();
        let Some(city) = city else {
            return Location::unknown();
        };
        let en = |names: Option<std::collections::BTreeMap<&str, &str>>| {
            names.and_then(|n| n.get("en").map(|s| s.to_string()))
        };
        Location {
            country: city.country.as_ref().and_then(|c| en(c.names.clone())),
            country_code: city
                .country
                .as_ref()
                .and_then(|c| c.iso_code.map(str::to_string)),
            region: city
                .subdivisions
                .as_ref()
                .and_then(|s| s.first())
                .and_then(|s| en(s.names.clone())),
            city: city.city.as_ref().and_then(|c| en(c.names.clone())),
        }
    }
}
