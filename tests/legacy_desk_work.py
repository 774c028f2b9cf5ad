"""The review desk's work on a database of the previous storage, run by tests/test_migrate.py with that
storage's code (commit 8682150, `git archive`) on PYTHONPATH: reviews, a reach given to an unknown site,
manual appearances, a frozen year, and a review after the freeze.

argv: database, a copy of its sources.yaml, the year to freeze. Prints a JSON summary."""
import json
import sys
from pathlib import Path

from warehouse.db import connect
from warehouse.manual import add_manual, read_manual_csv
from warehouse.reviews import assign_reach, record_decision
from warehouse.tally import freeze

db, sources, year = sys.argv[1], sys.argv[2], int(sys.argv[3])
con = connect(db)
urls = [r[0] for r in con.execute("SELECT url FROM appearances WHERE year(published_date) = ? AND origin = 'crawled' "
                                  "ORDER BY url", [year]).fetchall()]
others = [r[0] for r in con.execute("SELECT url FROM articles WHERE NOT is_appearance ORDER BY url").fetchall()]
assert len(urls) >= 4 and others, (urls, others)
record_decision(con, urls[0], "reject", "Ana", note="no habla de ProDESC")
record_decision(con, urls[1], "confirm", "Ana", theme="labour")
record_decision(con, urls[2], "duplicate", "Luis", duplicate_of=urls[3])
record_decision(con, others[0], "confirm", "Luis", theme="defenders")
unclassified = [r[0] for r in con.execute("SELECT name FROM outlets WHERE reach = 'unclassified' ORDER BY name").fetchall()]
if unclassified:
    assign_reach(con, unclassified[0], "national", "Ana", sources, name="Medio Revisado")
csv = Path(db).with_name("manual.csv")
csv.write_text("date,outlet,medium,theme,title,reach,note,added_by\n"
               f"{year}-03-08,Radio Comunitaria,radio,defenders,Entrevista a defensoras,local,,Ana\n"
               f"{year}-09-20,La Jornada impresa,print,labour,Jornaleros del valle,national,p. 12,Luis\n",
               encoding="utf-8")
add_manual(con, read_manual_csv(csv))
frozen = freeze(con, year, by="Ana", note=f"Informe anual {year}")
# After the freeze: the live count moves away from the frozen one.
record_decision(con, urls[3], "reject", "Luis", note="después de publicar")
print(json.dumps({"frozen": frozen, "live": con.execute("SELECT count(*) FROM appearances WHERE year(published_date) = ?",
                                                        [year]).fetchone()[0]}))
con.close()
