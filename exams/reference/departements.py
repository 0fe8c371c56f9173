"""The départements and the académie each belongs to (the official map of the 2020 académies,
Normandie joining Caen and Rouen), with the overseas ones. Seeded by exams 0022; staff see it in
admin. Saint-Pierre-et-Miquelon and the collectivities served by a vice-rectorat (New Caledonia,
French Polynesia, Wallis and Futuna) are left out, as is Monaco: the portal cannot decide for
them and says whom to ask."""

ACADEMIES = {
    "Aix-Marseille": [("04", "Alpes-de-Haute-Provence"), ("05", "Hautes-Alpes"), ("13", "Bouches-du-Rhône"), ("84", "Vaucluse")],
    "Amiens": [("02", "Aisne"), ("60", "Oise"), ("80", "Somme")],
    "Besançon": [("25", "Doubs"), ("39", "Jura"), ("70", "Haute-Saône"), ("90", "Territoire de Belfort")],
    "Bordeaux": [("24", "Dordogne"), ("33", "Gironde"), ("40", "Landes"), ("47", "Lot-et-Garonne"), ("64", "Pyrénées-Atlantiques")],
    "Clermont-Ferrand": [("03", "Allier"), ("15", "Cantal"), ("43", "Haute-Loire"), ("63", "Puy-de-Dôme")],
    "Corse": [("2A", "Corse-du-Sud"), ("2B", "Haute-Corse")],
    "Créteil": [("77", "Seine-et-Marne"), ("93", "Seine-Saint-Denis"), ("94", "Val-de-Marne")],
    "Dijon": [("21", "Côte-d'Or"), ("58", "Nièvre"), ("71", "Saône-et-Loire"), ("89", "Yonne")],
    "Grenoble": [("07", "Ardèche"), ("26", "Drôme"), ("38", "Isère"), ("73", "Savoie"), ("74", "Haute-Savoie")],
    "Guadeloupe": [("971", "Guadeloupe"), ("977", "Saint-Barthélemy"), ("978", "Saint-Martin")],
    "Guyane": [("973", "Guyane")],
    "La Réunion": [("974", "La Réunion")],
    "Lille": [("59", "Nord"), ("62", "Pas-de-Calais")],
    "Limoges": [("19", "Corrèze"), ("23", "Creuse"), ("87", "Haute-Vienne")],
    "Lyon": [("01", "Ain"), ("42", "Loire"), ("69", "Rhône")],
    "Martinique": [("972", "Martinique")],
    "Mayotte": [("976", "Mayotte")],
    "Montpellier": [("11", "Aude"), ("30", "Gard"), ("34", "Hérault"), ("48", "Lozère"), ("66", "Pyrénées-Orientales")],
    "Nancy-Metz": [("54", "Meurthe-et-Moselle"), ("55", "Meuse"), ("57", "Moselle"), ("88", "Vosges")],
    "Nantes": [("44", "Loire-Atlantique"), ("49", "Maine-et-Loire"), ("53", "Mayenne"), ("72", "Sarthe"), ("85", "Vendée")],
    "Nice": [("06", "Alpes-Maritimes"), ("83", "Var")],
    "Normandie": [("14", "Calvados"), ("27", "Eure"), ("50", "Manche"), ("61", "Orne"), ("76", "Seine-Maritime")],
    "Orléans-Tours": [("18", "Cher"), ("28", "Eure-et-Loir"), ("36", "Indre"), ("37", "Indre-et-Loire"), ("41", "Loir-et-Cher"),
                      ("45", "Loiret")],
    "Paris": [("75", "Paris")],
    "Poitiers": [("16", "Charente"), ("17", "Charente-Maritime"), ("79", "Deux-Sèvres"), ("86", "Vienne")],
    "Reims": [("08", "Ardennes"), ("10", "Aube"), ("51", "Marne"), ("52", "Haute-Marne")],
    "Rennes": [("22", "Côtes-d'Armor"), ("29", "Finistère"), ("35", "Ille-et-Vilaine"), ("56", "Morbihan")],
    "Strasbourg": [("67", "Bas-Rhin"), ("68", "Haut-Rhin")],
    "Toulouse": [("09", "Ariège"), ("12", "Aveyron"), ("31", "Haute-Garonne"), ("32", "Gers"), ("46", "Lot"), ("65", "Hautes-Pyrénées"),
                 ("81", "Tarn"), ("82", "Tarn-et-Garonne")],
    "Versailles": [("78", "Yvelines"), ("91", "Essonne"), ("92", "Hauts-de-Seine"), ("95", "Val-d'Oise")],
}

NORMANDIE = ["14", "27", "50", "61", "76"]
