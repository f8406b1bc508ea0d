# bench/match-queries.awk: the people/match queries of bench/section-match.sh, made from real
# children so that each has a true match (except "none").  Input: one child a line,
#   KIND|first_name|last_name|date_of_birth|postcode|id|another child's postcode
# with KIND one of the kinds below; output: KIND|true child id (or -)|JSON body of the request.
#   exact     name, date of birth and postcode as recorded
#   typos     first name and surname each mistyped (two letters swapped, or one dropped), date of
#             birth as recorded, no postcode; each also gives a "typos-uk" query, the same with the
#             date of birth written DD/MM/YYYY (which the API accepts too)
#   swapped   day and month of the date of birth swapped (days up to 12 only, so that it is still a
#             date), name and postcode as recorded
#   moved     name and date of birth as recorded, another child's postcode (the family moved)
#   none      someone the borough does not know: names from no list of the demo, the date of birth
#             of one child and the postcode of another
BEGIN {
  FS = "|"
  split("Quentin Ottilie Barnaby Persephone Ignatius Wilhelmina Evander Clementine Lysander Araminta", nf, " ")
  split("Featherstone Quigley Vanderbilt Pemberton Ashcombe Fothergill Tregarthen Blenkinsop Umfreville Pettigrew", nl, " ")
}
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
function str(k, v) { return "\"" k "\":\"" esc(v) "\"" }
# A typing slip: two neighbouring letters swapped, or one letter dropped (names of four letters or more).
function typo(s, n,   i, l) {
  l = length(s)
  if (l < 4) return s
  i = 2 + n % (l - 2)
  if (n % 2) return substr(s, 1, i - 1) substr(s, i + 1, 1) substr(s, i, 1) substr(s, i + 2)
  return substr(s, 1, i - 1) substr(s, i + 1)
}
{
  kind = $1; first = $2; last = $3; dob = $4; pc = $5; id = $6; other = $7
  n++
  if (kind == "exact") {
    body = "{" str("first_name", first) "," str("last_name", last) "," str("date_of_birth", dob) "," str("postcode", pc) "}"
  } else if (kind == "typos") {
    body = "{" str("first_name", typo(first, n)) "," str("last_name", typo(last, n + 1)) "," \
      str("date_of_birth", substr(dob, 9, 2) "/" substr(dob, 6, 2) "/" substr(dob, 1, 4)) "}"
    print "typos-uk|" id "|" body
    body = "{" str("first_name", typo(first, n)) "," str("last_name", typo(last, n + 1)) "," str("date_of_birth", dob) "}"
  } else if (kind == "swapped") {
    body = "{" str("first_name", first) "," str("last_name", last) "," \
      str("date_of_birth", substr(dob, 1, 5) substr(dob, 9, 2) "-" substr(dob, 6, 2)) "," str("postcode", pc) "}"
  } else if (kind == "moved") {
    body = "{" str("first_name", first) "," str("last_name", last) "," str("date_of_birth", dob) "," str("postcode", other) "}"
  } else if (kind == "none") {
    body = "{" str("first_name", nf[1 + n % 10]) "," str("last_name", nl[1 + int(n / 10) % 10]) "," \
      str("date_of_birth", dob) "," str("postcode", other) "}"
    id = "-"
  } else {
    next
  }
  print kind "|" id "|" body
}
