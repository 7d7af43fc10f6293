"use strict";
// The search page: everything below runs offline on the data embedded in this file.
(function () {
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const EARTH_MILES = 3958.8;
  const REMOTE = new Set(["online", "phone"]);
  const LIMIT = 200;
  const KIND_LABEL = { organization: "Organization", chapter: "Chapter", group: "Group", program: "Day program", line: "Warmline" };
  const $ = (id) => document.getElementById(id);

  // Places (warehouse/search/places.py): the ZIP bitset gives the ZIP order; 6 bytes a ZIP (lat int16,
  // lon int16 in hundredths, city uint16), little-endian; cities listed per state; one zone byte a city.
  const ZIP = /^(\d{5})(?:-\d{4})?$/;
  const LAT_LON = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;
  const SPELLED_OUT = [["st ", "saint "], ["ft ", "fort "], ["mt ", "mount "]];
  const bytesOf = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const cities = [];  // { name, state, lat, lon, zone } with lat/lon in hundredths until the mean is taken
  const byName = new Map();  // normalized name -> city indexes
  const zipRow = new Map();  // "40502" -> { lat, lon, city }

  function normalized(name) {
    let text = name.toLowerCase().replace(/\./g, " ").split(/\s+/).filter(Boolean).join(" ");
    for (const [short, full] of SPELLED_OUT) if (text.startsWith(short)) text = full + text.slice(short.length);
    return text;
  }

  (function decodePlaces() {
    const zones = bytesOf(DATA.cityZones);
    for (const [state, names] of DATA.cities) {
      for (const name of names.split("|")) {
        const index = cities.length;
        cities.push({ name, state, lat: 0, lon: 0, n: 0, zone: DATA.zones[zones[index]] || null });
        const key = normalized(name);
        if (!byName.has(key)) byName.set(key, []);
        byName.get(key).push(index);
      }
    }
    const valid = bytesOf(DATA.validZips);
    const view = new DataView(bytesOf(DATA.zips).buffer);
    let row = 0;
    for (let code = 0; code < 100000; code++) {
      if (!((valid[code >> 3] >> (code & 7)) & 1)) continue;
      const lat = view.getInt16(row * 6, true), lon = view.getInt16(row * 6 + 2, true);
      const city = view.getUint16(row * 6 + 4, true);
      zipRow.set(String(code).padStart(5, "0"), { lat: lat / 100, lon: lon / 100, city });
      const sum = cities[city];
      sum.lat += lat; sum.lon += lon; sum.n += 1;
      row++;
    }
    for (const city of cities) {  // the mean of its ZIP points, rounded half up, as the gazetteer does
      city.lat = Math.floor((2 * city.lat + city.n) / (2 * city.n)) / 100;
      city.lon = Math.floor((2 * city.lon + city.n) / (2 * city.n)) / 100;
    }
  })();

  function miles(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * EARTH_MILES * Math.asin(Math.min(1, Math.sqrt(Math.max(0, h))));
  }

  const cityLabel = (index) => `${cities[index].name}, ${cities[index].state}`;
  const cityPlace = (index) => ({ point: cities[index], label: cityLabel(index), zone: cities[index].zone });

  function nearestZone(point) {
    let best = null, bestMiles = Infinity;
    for (const city of cities) {
      const m = miles(point, city);
      if (m < bestMiles) { bestMiles = m; best = city; }
    }
    return best && bestMiles <= 150 ? best.zone : null;
  }

  function cityInState(city, stateText) {
    const state = DATA.stateNames[normalized(stateText)];
    if (!state) return [];
    return (byName.get(normalized(city)) || []).filter((i) => cities[i].state === state);
  }

  function splitState(text) {
    const words = text.split(" ");
    for (const size of [3, 2, 1]) {
      const tail = words.slice(-size).join(" ");
      if (words.length > size && DATA.stateNames[tail]) return [words.slice(0, -size).join(" "), tail];
    }
    return null;
  }

  function readCity(value) {
    if (value.includes(",")) {
      const cut = value.lastIndexOf(",");
      return cityInState(value.slice(0, cut), value.slice(cut + 1));
    }
    const found = byName.get(normalized(value));
    if (found) return found;
    const split = splitState(normalized(value));
    return split ? cityInState(...split) : [];
  }

  // Where the person is, read as `supportdir search --near` reads it (warehouse/search/gazetteer.py).
  function locate(text) {
    const value = text.trim();
    if (!value) return { none: true };
    const pair = LAT_LON.exec(value);
    if (pair) {
      const point = { lat: Number(pair[1]), lon: Number(pair[2]) };
      if (Math.abs(point.lat) > 90 || Math.abs(point.lon) > 180) {
        return { error: "Latitude must be within ±90 and longitude within ±180." };
      }
      return { point, label: `${point.lat},${point.lon}`, zone: nearestZone(point) };
    }
    const zip = ZIP.exec(value);
    if (zip) {
      const found = zipRow.get(zip[1]);
      if (!found) return { error: `${zip[1]} is not a US ZIP code.` };
      return { point: found, label: `${cityLabel(found.city)} (${zip[1]})`, zone: cities[found.city].zone };
    }
    if (/^[\d-]+$/.test(value)) return { error: `${value} is not a US ZIP code.` };
    const found = readCity(value);
    if (found.length === 1) return cityPlace(found[0]);
    if (found.length > 1) {
      return { error: `${value} is a city in ${found.length} states. Choose one:`, choices: found.map(cityLabel) };
    }
    return { error: `No US city or ZIP code is called "${value}". Try "City, ST" or a ZIP code.` };
  }

  // "3.2 miles away"; a listing placed at a ZIP or city centre says "in Louisville" (query.py: distance_text).
  function distanceText(item, m) {
    if (m === undefined) return "";
    const centre = item.geo === "zip" || item.geo === "city";
    if (item.geo === "state" || (centre && !item.city)) return item.state ? `in ${item.state}` : "";
    if (centre) return m < 2 ? `in ${item.city}` : `in ${item.city}, about ${Math.round(m).toLocaleString("en-US")} miles away`;
    return `${m.toFixed(1)} miles away`;
  }

  function nextMeeting(item, now) {
    const found = (item.next || []).find(([seconds]) => seconds * 1000 > now);
    return found ? { at: found[0] * 1000, zone: found[1] } : null;
  }

  function formatMeeting(meeting) {
    return new Intl.DateTimeFormat("en-US", {
      weekday: "short", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
      timeZone: meeting.zone, timeZoneName: "short",
    }).format(new Date(meeting.at));
  }

  const clocks = new Map();
  function clock(zone, at) {  // weekday and time of a moment in a zone ("Tue", "7:00 PM"), formatters made once
    if (!clocks.has(zone)) {
      clocks.set(zone, new Intl.DateTimeFormat("en-US", { weekday: "short", hour: "numeric", minute: "2-digit", timeZone: zone }));
    }
    const parts = Object.fromEntries(clocks.get(zone).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
    return { day: parts.weekday, time: `${parts.hour}:${parts.minute} ${parts.dayPeriod}` };
  }

  // "Tue, Dec 1, 6:30 PM PST · 9:30 PM your time" (the second part when the searcher's clock differs).
  function meetingText(meeting, zone) {
    const said = formatMeeting(meeting);
    if (!zone) return said;
    const theirs = clock(meeting.zone, meeting.at), yours = clock(zone, meeting.at);
    if (theirs.day === yours.day && theirs.time === yours.time) return said;
    return `${said} · ${theirs.day === yours.day ? "" : yours.day + " "}${yours.time} your time`;
  }

  const DAY_BITS = { Mon: 1, Tue: 2, Wed: 4, Thu: 8, Fri: 16, Sat: 32, Sun: 64 };
  // The days a listing meets, in the searcher's zone when known (from its upcoming meetings), else its own.
  function daysIn(item, zone) {
    if (!zone || !(item.next || []).length) return item.days || 0;
    let bits = 0;
    for (const [seconds] of item.next) bits |= DAY_BITS[clock(zone, seconds * 1000).day];
    return bits;
  }

  function filters() {
    return {
      kind: $("kind").value, attendance: $("attendance").value, topic: $("topic").value,
      audience: $("audience").value, day: Number($("day").value || 0), radius: Number($("radius").value),
    };
  }

  function matches(item, f, zone) {
    if (f.kind && item.kind !== f.kind) return false;
    if (f.attendance && item.att !== f.attendance) return false;
    if (f.topic && !(item.topics || []).includes(f.topic)) return false;
    if (f.audience && !(item.aud || []).includes(f.audience)) return false;
    if (f.day && !(daysIn(item, zone) & f.day)) return false;
    return true;
  }

  function byNextThenName(a, b) {
    return (a.next ? a.next.at : Infinity) - (b.next ? b.next.at : Infinity) || a.item.name.localeCompare(b.item.name);
  }

  function search() {
    const f = filters();
    const where = locate($("place").value);
    $("place-error").textContent = where.error || "";
    $("place").setAttribute("aria-invalid", where.error ? "true" : "false");
    offerChoices(where.choices || []);
    if (where.error) { show([], where, f); return; }
    const now = Date.now();
    const near = [], remote = [];
    where.nearest = Infinity;
    for (const item of DATA.listings) {
      if (!matches(item, f, where.zone)) continue;
      const entry = { item, next: nextMeeting(item, now), zone: where.zone };
      const canMeetRemotely = REMOTE.has(item.att) || item.att === "hybrid";
      if (where.point && !REMOTE.has(item.att) && item.lat !== undefined) {
        entry.miles = miles(where.point, { lat: item.lat, lon: item.lon });
        where.nearest = Math.min(where.nearest, entry.miles);
        if (entry.miles <= f.radius) { near.push(entry); continue; }
      }
      if (where.none && !REMOTE.has(item.att)) { near.push(entry); continue; }
      if (canMeetRemotely) { entry.remote = true; remote.push(entry); }
    }
    near.sort((a, b) => (a.miles ?? 0) - (b.miles ?? 0) || byNextThenName(a, b));
    remote.sort(byNextThenName);
    show(near.concat(remote), where, f);
  }

  function text(tag, content, className) {
    const node = document.createElement(tag);
    node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  function link(href, label) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    return a;
  }

  function row(list, term, ...content) {
    const parts = content.filter(Boolean);
    if (!parts.length) return;
    list.append(text("dt", term));
    const dd = document.createElement("dd");
    parts.forEach((part, i) => { if (i) dd.append(" · "); dd.append(part); });
    list.append(dd);
  }

  // --- card pieces: what the listing is, how to join it, whom to contact, where it was listed ---
  const ABOUT_SHORT = 200;  // characters of a description shown before "More"
  const NOUN = { organization: "organization", chapter: "chapter", group: "group", program: "day program", line: "warmline" };
  const PARENT_WORD = { chapter: "its chapter", organization: "its organization" };

  // "DBSA Louisville's website", "Friends' website".
  const possessive = (name) => (/s$/i.test(name) ? `${name}'` : `${name}'s`);

  // The description, whole when short; else its start, with the rest behind "More" (a <details>).
  function about(description) {
    const whole = description.replace(/\s+/g, " ").trim();
    if (whole.length <= ABOUT_SHORT) return text("p", whole, "about");
    let start = whole.slice(0, ABOUT_SHORT);
    start = start.slice(0, start.lastIndexOf(" ") > 0 ? start.lastIndexOf(" ") : ABOUT_SHORT).replace(/[ ,;:.\u2013-]+$/, "");
    const details = document.createElement("details");
    details.className = "about";
    const summary = document.createElement("summary");
    summary.append(text("span", `${start}… `, "short"), text("span", "More", "more"), text("span", "Less", "less"));
    details.append(summary, text("p", whole));
    return details;
  }

  // A link naming what it opens, with the number or address itself beside it to copy.
  function named(href, label, shown) {
    const span = document.createElement("span");
    span.append(link(href, label));
    if (shown) span.append(` ${shown}`);
    return span;
  }

  function joinRow(list, item) {
    row(list, "Join or register", item.join && link(item.join, `Join ${item.name} online`),
        item.reg && link(item.reg, `Register for ${item.name}`));
  }

  // Its own contact points; else its chapter's or organization's, labelled as theirs.
  function contactRow(list, item) {
    const who = item.via || { name: item.name, phone: item.phone, email: item.email, web: item.web };
    const ways = [who.phone && named(`tel:${who.phone}`, `Call ${who.name}`, `at ${who.phone}`),
                  who.email && named(`mailto:${who.email}`, `Email ${who.name}`, `at ${who.email}`),
                  who.web && link(who.web, `${possessive(who.name)} website`)].filter(Boolean);
    if (!ways.length) return;
    const dd = document.createElement("span");
    if (item.via) dd.append(text("span", `${who.name} (${PARENT_WORD[who.kind] || "its parent"}): `, "via"));
    ways.forEach((way, i) => { if (i) dd.append(" · "); dd.append(way); });
    row(list, "Contact", dd);
  }

  function sourceLine(item) {
    const source = text("p", "Listed on ", "source");
    source.append(link(item.src, `${possessive(item.org)} page for this ${NOUN[item.kind] || "listing"}`),
                  `; last seen ${item.seen}.`);
    return source;
  }

  function card(entry) {
    const { item } = entry;
    const li = document.createElement("li");
    const article = document.createElement("article");
    article.append(text("h3", item.name));
    const meta = document.createElement("p");
    meta.className = "meta";
    const place = [item.city, item.state].filter(Boolean).join(", ");
    const distance = entry.remote ? (item.att === "phone" ? "By phone" : "Online") : distanceText(item, entry.miles);
    if (distance) meta.append(text("span", distance, entry.remote ? "badge remote" : "badge"), " ");
    meta.append(`${KIND_LABEL[item.kind] || item.kind} · ${item.org}${place ? " · " + place : ""}`);
    article.append(meta);
    if (item.desc) article.append(about(item.desc));
    const details = document.createElement("dl");
    row(details, "Next meeting", entry.next ? meetingText(entry.next, entry.zone) : "");
    row(details, "When", item.when);
    row(details, "How to attend", item.how);
    joinRow(details, item);
    contactRow(details, item);
    row(details, "Topics", [...(item.topics || []), ...(item.aud || []).map((a) => `for ${a}`)].join(", "));
    article.append(details);
    article.append(sourceLine(item));
    li.append(article);
    return li;
  }

  // A bare city name in several states: one button a choice, which searches there.
  function offerChoices(choices) {
    const box = $("place-choices");
    box.replaceChildren(...choices.map((label) => {
      const button = text("button", label, "choice");
      button.type = "button";
      button.addEventListener("click", () => { $("place").value = label; search(); $("place").focus(); });
      return button;
    }));
  }

  let shown = [], showing = 0;
  function showMore() {
    const next = shown.slice(showing, showing + LIMIT);
    $("results").append(...next.map(card));
    showing += next.length;
    const more = $("more");
    more.hidden = showing >= shown.length;
    more.textContent = `Show ${Math.min(LIMIT, shown.length - showing)} more`;
  }

  function show(entries, where, f) {
    $("results").replaceChildren();
    shown = entries; showing = 0;
    showMore();
    const nearby = entries.filter((e) => !e.remote).length;
    const remote = entries.length - nearby;
    let said;
    if (where.error) said = "No search yet: check the place.";
    else if (where.point && !nearby && Number.isFinite(where.nearest)) {
      said = `No group within ${f.radius} miles of ${where.label}; the nearest is ` +
        `${Math.round(where.nearest).toLocaleString("en-US")} miles away. These meet online or by phone: ${remote} found.`;
    } else if (where.point) said = `${entries.length} found: ${nearby} within ${f.radius} miles of ${where.label}, ${remote} online or by phone.`;
    else said = `${entries.length} found.`;
    if (entries.length > LIMIT) said += ` Showing the first ${showing}.`;
    $("status").textContent = said;
  }

  function fill(select, values) {
    for (const value of values) select.append(new Option(value[0].toUpperCase() + value.slice(1), value));
  }

  fill($("topic"), DATA.topics);
  fill($("audience"), DATA.audiences);
  $("about").textContent = `${DATA.listings.length} listings. Page built ${DATA.built.slice(0, 10)}; next meetings ` +
    `are known for ${DATA.windowWeeks} weeks after that, the schedule in words always. ${DATA.crisis}`;
  $("search").addEventListener("submit", (event) => { event.preventDefault(); search(); });
  $("more").addEventListener("click", showMore);
  for (const id of ["radius", "kind", "attendance", "topic", "audience", "day"]) $(id).addEventListener("change", search);
  search();
})();
