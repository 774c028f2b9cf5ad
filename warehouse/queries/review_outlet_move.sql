-- Review desk: the articles of a renamed site move to its registry name.
UPDATE articles SET outlet = $name WHERE outlet = $outlet
