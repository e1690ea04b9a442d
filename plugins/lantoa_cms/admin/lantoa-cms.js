/*
 * Lan Tỏa's profile format for Decap CMS, and the editor's start.
 *
 * A profile is "Key: value" header lines, a blank line, then Markdown: the format
 * reads it the way lantoa.reading does (keys in English or Vietnamese, compared by
 * their ASCII slug; continuation lines; the first blank line ends the header, and so
 * does the first line that is not "Key: value") and writes it back so
 * that every line whose value the editor did not change is written as it was:
 * an unchanged profile is saved byte for byte, a changed one differs only on the
 * lines of the changed fields. The schema (keys, aliases, choices, provinces)
 * comes from config.js, generated from the reader's own declarations.
 */
(function () {
  "use strict";

  var settings = window.LANTOA_CMS;
  var schema = settings.schema;
  var SOURCE = "_lantoa_source"; // the file as read, kept in the entry to compare against
  var BEFORE = schema.province_before;
  // lantoa.reading.HEADER_KEY: a letter, then letters, digits, "_- /()." (40 at most).
  var HEADER_KEY = /^[\p{L}][\p{L}\p{M}\p{N}_\- \/().]{0,39}$/u;

  var byId = {}; // a key's canonical name, and the slug of each of its names → the key
  var order = {};
  schema.keys.forEach(function (key, index) {
    order[key.name] = index;
    byId[key.name] = key;
    key.aliases.forEach(function (alias) { byId[alias] = key; });
  });

  // lantoa.schema.key_slug: "TỈNH/Thành phố" → "tinh-thanh-pho".
  function keySlug(text) {
    return slugify(text.replace(/[_\/]/g, " "));
  }

  function canonicalKey(text) {
    var found = byId[keySlug(text)];
    return found ? found.name : "?" + keySlug(text);
  }

  // lantoa.text.slugify, for key names and the values of choice keys.
  function slugify(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  function clean(text) {
    return String(text).normalize("NFC").replace(/\s+/g, " ").trim();
  }

  /* Split a file like lantoa.reading.parse_header: entries keep their raw lines. */
  function parse(text) {
    var bom = text.charAt(0) === "\ufeff" ? "\ufeff" : "";
    var crlf = text.indexOf("\r\n") !== -1;
    var lines = text.slice(bom.length).replace(/\r\n?/g, "\n").split("\n");
    var index = 0;
    while (index < lines.length && !lines[index].trim()) index += 1;
    var lead = lines.slice(0, index);
    var entries = [];
    var seen = {};
    var last = null;
    for (; index < lines.length; index += 1) {
      var line = lines[index];
      if (!line.trim()) break;
      var colon = line.indexOf(":");
      var keyText = colon === -1 ? "" : line.slice(0, colon).trim();
      var isKey = colon !== -1 && HEADER_KEY.test(keyText);
      if (last && (line.charAt(0) === " " || line.charAt(0) === "\t")) {
        last.lines.push(line);
        last.value += " " + line.trim();
      } else if (isKey) {
        var value = line.slice(colon + 1);
        last = {key: keyText, name: canonicalKey(keyText), value: value.charAt(0) === " " ? value.slice(1) : value,
                lines: [line]};
        last.duplicate = seen[last.name] === true;
        seen[last.name] = true;
        entries.push(last);
      } else {
        break;
      }
    }
    // The blank lines between header and text belong to neither.
    var gap = [];
    while (index < lines.length && !lines[index].trim() && index < lines.length - 1) {
      gap.push(lines[index]);
      index += 1;
    }
    return {bom: bom, crlf: crlf, lead: lead, entries: entries, gap: gap,
            hasBody: index < lines.length, body: lines.slice(index).join("\n")};
  }

  /* The form value of one header value: choices canonical, lists as arrays. */
  function fieldValue(name, raw) {
    var value = clean(raw);
    var aliases = schema.choices[name];
    if (schema.lists[name] !== undefined) {
      return value.split(/[,;]/).map(function (part) {
        var slug = slugify(part);
        return aliases && aliases[slug] ? aliases[slug] : part.trim();
      }).filter(function (part) { return part; });
    }
    if (aliases) {
      var slug = slugify(value);
      return aliases[slug] !== undefined ? aliases[slug] : value;
    }
    return value;
  }

  function provinceFields(raw) {
    var found = schema.provinces[clean(raw).toLowerCase()];
    if (!found) return {province: clean(raw), before: ""};
    return {province: found[0], before: found[1]};
  }

  // Where a header key's value lives in Decap's entry data (not always its name).
  function dataName(name) {
    return byId[name] ? byId[name].field : name;
  }

  function fromFile(text) {
    var parsed = parse(text);
    var data = {};
    parsed.entries.forEach(function (entry) {
      // A repeated key is the reader's error E010 (the first one counts); a key it
      // does not know stays in the file as written.
      if (entry.duplicate || !byId[entry.name]) return;
      if (entry.name === "province") {
        var place = provinceFields(entry.value);
        data[dataName("province")] = place.province;
        if (place.before) data[BEFORE] = place.before;
      } else {
        data[dataName(entry.name)] = fieldValue(entry.name, entry.value);
      }
    });
    data.body = parsed.body;
    data[SOURCE] = text;
    return data;
  }

  function isEmpty(value) {
    return value === undefined || value === null || (Array.isArray(value) ? value.length === 0 : String(value).trim() === "");
  }

  /* The header value a form value is written as. */
  function headerValue(name, data) {
    if (name === "province") {
      var now = data[dataName("province")];
      return isEmpty(data[BEFORE]) ? (isEmpty(now) ? "" : clean(now)) : clean(data[BEFORE]);
    }
    var value = data[dataName(name)];
    if (schema.booleans[name] !== undefined) return value === true ? schema.booleans[name] : "";
    if (isEmpty(value)) return "";
    if (Array.isArray(value)) return value.map(clean).filter(Boolean).join(schema.lists[name] || ", ");
    return clean(value);
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  /* Whether the form changed the value an entry of the file holds. */
  function changed(entry, data) {
    if (entry.name === "province") {
      var place = provinceFields(entry.value);
      return !(same(clean(data[dataName("province")] || ""), place.province) &&
               same(clean(data[BEFORE] || ""), place.before));
    }
    var now = data[dataName(entry.name)];
    var was = fieldValue(entry.name, entry.value);
    if (typeof was === "boolean") return Boolean(now) !== was;
    if (Array.isArray(was)) return !same((now || []).map(String), was.map(String));
    return clean(now === undefined || now === null ? "" : now) !== clean(was);
  }

  function trimBody(body) {
    return body.replace(/\s+$/, "");
  }

  function toFile(data) {
    var source = typeof data[SOURCE] === "string" ? parse(data[SOURCE]) : null;
    var out = [];
    var written = {};
    var formKeys = schema.keys.filter(function (key) { return key.form; });
    if (source) {
      source.entries.forEach(function (entry) {
        var key = byId[entry.name];
        var formKey = key && key.form && !entry.duplicate;
        if (entry.duplicate || !formKey || !changed(entry, data)) {
          out.push({rank: order[entry.name], lines: entry.lines});
        } else {
          var value = headerValue(entry.name, data);
          if (value) out.push({rank: order[entry.name], lines: [entry.key + ": " + value]});
        }
        written[entry.name] = true;
      });
    }
    // Keys the file did not have: after the last line of a key that comes before them.
    formKeys.forEach(function (key) {
      if (written[key.name]) return;
      var value = headerValue(key.name, data);
      if (!value || (key.name === "status" && value === "published" && !source)) return;
      var at = out.length;
      while (at > 0 && (out[at - 1].rank === undefined || out[at - 1].rank > order[key.name])) at -= 1;
      if (at === 0 && out.length) at = out.length; // nothing known before it: at the end
      out.splice(at, 0, {rank: order[key.name], lines: [key.header + ": " + value]});
    });
    var header = [];
    out.forEach(function (item) { header.push.apply(header, item.lines); });
    var body = typeof data.body === "string" ? data.body : "";
    var text;
    if (source && body === source.body) {
      text = source.lead.concat(header, source.gap).join("\n") + (source.hasBody ? "\n" + source.body : "");
    } else {
      var gap = source && source.gap.length ? source.gap : [""];
      text = (source ? source.lead : []).concat(header, gap).join("\n") + "\n" + trimBody(body) + "\n";
    }
    if (source && source.crlf) text = text.replace(/\n/g, "\r\n");
    return (source ? source.bom : "") + text;
  }

  window.lantoaFormat = {fromFile: fromFile, toFile: toFile, parse: parse};

  function start() {
    if (settings.missing) {
      var note = document.getElementById("lantoa-missing");
      note.textContent = settings.missing;
      note.hidden = false;
      return;
    }
    var CMS = window.CMS;
    CMS.registerCustomFormat("lantoa", "md", {fromFile: fromFile, toFile: toFile});
    CMS.init({config: settings.config});
  }

  start();
})();
