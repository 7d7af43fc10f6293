"use strict";
// The search page: everything below runs offline on the data embedded in this file.
(function () {
  const DATA = JSON.parse(document.getElementById("data").textContent);
  const EARTH_MILES = 3958.8;
  const REMOTE = new Set(["online", "phone"]);
  const LIMIT = 200;
  const KIND_LABEL = { organization: "Organization", chapter: "Chapter", group: "Group", program: "Day program", line: "Warmline" };
  const $ = (id) => document.getElementById(id);

  // ZIP table: 8 bytes a ZIP (delta uint16, lat int16, lon int16, city uint16), little-endian.
  const zips = new Map();
  const cityPoints = new Map();
  (function decodePlaces() {
    const bytes = Uint8Array.from(atob(DATA.zips), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    let code = 0;
    for (let i = 0; i < DATA.zipCount; i++) {
      code += view.getUint16(i * 8, true);
      const lat = view.getInt16(i * 8 + 2, true) / 100;
      const lon = view.getInt16(i * 8 + 4, true) / 100;
      const city = DATA.cities[view.getUint16(i * 8 + 6, true)];
      zips.set(String(code).padStart(5, "0"), { lat, lon, label: city });
      const sum = cityPoints.get(city) || { lat: 0, lon: 0, n: 0 };
      sum.lat += lat; sum.lon += lon; sum.n += 1;
      cityPoints.set(city, sum);
    }
  })();
  const validZips = Uint8Array.from(atob(DATA.validZips), (c) => c.charCodeAt(0));
  const isZip = (code) => { const n = Number(code); return (validZips[n >> 3] >> (n & 7)) & 1; };

  function miles(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * EARTH_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  // Where the person is: a ZIP, or a city ("Lexington" or "Lexington, KY"); far = valid but no listing near.
  function locate(text) {
    const value = text.trim();
    if (!value) return { none: true };
    if (/^\d{5}$/.test(value)) {
      const found = zips.get(value);
      if (found) return { point: found, label: `${found.label} (${value})` };
      if (isZip(value)) return { far: true, label: `ZIP ${value}` };
      return { error: `${value} is not a US ZIP code.` };
    }
    const wanted = value.toLowerCase().replace(/\s+/g, " ");
    const matches = [...cityPoints.keys()].filter((name) => {
      const lower = name.toLowerCase();
      return lower === wanted || lower.split(",")[0] === wanted;
    });
    if (matches.length) {
      const sum = cityPoints.get(matches[0]);
      return { point: { lat: sum.lat / sum.n, lon: sum.lon / sum.n }, label: matches[0] };
    }
    return { error: `No listing is within ${DATA.maxRadius} miles of "${value}". Try a ZIP code, or choose Online.` };
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

  function filters() {
    return {
      kind: $("kind").value, attendance: $("attendance").value, topic: $("topic").value,
      audience: $("audience").value, day: Number($("day").value || 0), radius: Number($("radius").value),
    };
  }

  function matches(item, f) {
    if (f.kind ? item.kind !== f.kind : item.kind === "organization") return false;
    if (f.attendance && item.att !== f.attendance) return false;
    if (f.topic && !(item.topics || []).includes(f.topic)) return false;
    if (f.audience && !(item.aud || []).includes(f.audience)) return false;
    if (f.day && !((item.days || 0) & f.day)) return false;
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
    if (where.error) { show([], where, f); return; }
    const now = Date.now();
    const near = [], remote = [];
    for (const item of DATA.listings) {
      if (!matches(item, f)) continue;
      const entry = { item, next: nextMeeting(item, now) };
      const canMeetRemotely = REMOTE.has(item.att) || item.att === "hybrid";
      if (where.point && !REMOTE.has(item.att) && item.lat !== undefined) {
        entry.miles = miles(where.point, { lat: item.lat, lon: item.lon });
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
    const distance = entry.remote
      ? (item.att === "phone" ? "By phone" : "Online")
      : entry.miles !== undefined ? `${entry.miles.toFixed(1)} miles away` : "";
    if (distance) meta.append(text("span", distance, entry.remote ? "badge remote" : "badge"), " ");
    meta.append(`${KIND_LABEL[item.kind] || item.kind} · ${item.org}${place ? " · " + place : ""}`);
    article.append(meta);
    if (item.desc) article.append(about(item.desc));
    const details = document.createElement("dl");
    row(details, "Next meeting", entry.next ? formatMeeting(entry.next) : "");
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

  function show(entries, where, f) {
    const list = $("results");
    list.replaceChildren(...entries.slice(0, LIMIT).map(card));
    const nearby = entries.filter((e) => !e.remote).length;
    const remote = entries.length - nearby;
    let said;
    if (where.error) said = "No search yet: check the place.";
    else if (where.point) said = `${entries.length} found: ${nearby} within ${f.radius} miles of ${where.label}, ${remote} online or by phone.`;
    else if (where.far) said = `${entries.length} found: no listing within ${DATA.maxRadius} miles of ${where.label}; ${remote} online or by phone.`;
    else said = `${entries.length} found.`;
    if (entries.length > LIMIT) said += ` Showing the first ${LIMIT}.`;
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
  for (const id of ["radius", "kind", "attendance", "topic", "audience", "day"]) $(id).addEventListener("change", search);
  search();
})();
