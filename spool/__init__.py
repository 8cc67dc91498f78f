"""The spool: what providers sent while the database could not take it, kept on disk.

A webhook that cannot reach the database writes the verified request to a file
(`store.Spool`), answers the provider as if all went well, and the web process
takes the files in once the database answers again (`intake.drain`, run by the
background `drainer` or by `flask --app app spool drain`). See docs/DEPLOY.md.
"""
