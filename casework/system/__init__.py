"""Running the domain: settings, database, clock, files, the CSV reader."""
