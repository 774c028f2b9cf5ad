-- Review desk: a first classification applies to the outlet's whole past (valid from 0001-01-01).
INSERT INTO outlet_reach_history (outlet, reach, valid_from, recorded_at, source)
VALUES ($outlet, $reach, DATE '0001-01-01', $decided_at, 'review')
