DROP TABLE fetch_rows;
