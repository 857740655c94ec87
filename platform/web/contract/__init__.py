"""The rules every operation of the OpenAPI document follows, whoever wrote its route: names
(operation ids, summaries, tags), the errors it answers, who may call it, and how schema
components are named and how strict they are. A plugin's routes get them without asking."""
