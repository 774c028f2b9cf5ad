-- Manual appearances from a CSV: the same row loaded again updates its row (manual_id is the key).
MERGE INTO manual_appearances AS m USING manual_batch AS b ON m.manual_id = b.manual_id
WHEN MATCHED THEN UPDATE SET reach = b.reach, theme = b.theme, process = b.process, url = b.url,
                             note = b.note, added_by = b.added_by
WHEN NOT MATCHED THEN INSERT (manual_id, outlet, reach, medium, published_date, theme, process, title, url,
                              note, added_by)
    VALUES (b.manual_id, b.outlet, b.reach, b.medium, b.published_date, b.theme, b.process, b.title, b.url,
            b.note, b.added_by);
